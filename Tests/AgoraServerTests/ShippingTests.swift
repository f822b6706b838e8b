@testable import AgoraServer
import AgoraStore
import AgoraTestSupport
import AgoraTheme
import Foundation
import Testing

/// Shipping and tax at checkout (SPEC §6.8): the country select, the refusals, and the amounts on
/// every surface — the JSON API, the thanks page, the admin page, the CSV and the mail.
@Suite struct ShippingTests {
    static let files: [String: String] = {
        var files = TestShop.catalog
        files["site.yml"]! += """
        shipping:
          free_over: 100.00
          zones:
            - name: Portugal
              countries: [PT]
              rate: 4.50
            - name: Europe
              countries: [ES, FR]
              rate: 9.00
        tax:
          prices_include_tax: true
          rates:
            PT: 23

        """
        return files
    }()

    @Test func checkoutAsksForACountryAndChargesShippingAndTax() async throws {
        let shop = try TestShop(Self.files)
        try await shop.run { port in
            let browser = Browser(port: port)
            try await browser.json("POST", "/api/cart/items", ["sku": "GT-1", "quantity": 2])   // 2 × 12.50
            let checkout = try await browser.get("/orders/checkout/").text
            #expect(checkout.contains(#"<select id="country" name="country" autocomplete="country" required>"#))
            #expect(checkout.contains(#"<option value="PT">Portugal</option>"#))
            #expect(checkout.contains(#"<option value="FR">France</option>"#))
            #expect(!checkout.contains(#"value="US""#))   // only where the zones ship

            var fields = TestShop.customer
            let missing = try await browser.json("POST", "/api/orders", fields)
            #expect(missing.status == 422)
            #expect((missing.json["error"] as? [String: Any])?["field"] as? String == "country")
            fields["country"] = "US"
            let abroad = try await browser.json("POST", "/api/orders", fields)
            #expect(abroad.status == 422)
            #expect((abroad.json["error"] as? [String: Any])?["message"] as? String == "We do not ship to United States")

            fields["country"] = "pt"   // codes are read in any case
            let placed = try await browser.json("POST", "/api/orders", fields)
            #expect(placed.status == 201)
            // 25.00 contains 25.00 × 23/123 = 4.674… → 4.67 of VAT; shipping 4.50 is added.
            #expect(placed.json["country"] as? String == "PT")
            #expect(placed.json["subtotal"] as? String == "25.00")
            #expect(placed.json["shipping"] as? String == "4.50")
            #expect(placed.json["tax"] as? String == "4.67")
            #expect(placed.json["tax_included"] as? Bool == true)
            #expect(placed.json["total"] as? String == "29.50")
            let number = try #require(placed.json["number"] as? String)

            let thanks = try await browser.get("/orders/\(number)/").text
            #expect(thanks.contains("Shipping to Portugal</th><td>€4.50"))
            #expect(thanks.contains("Tax included in the prices</th><td>€4.67"))
            #expect(thanks.contains("<strong>€29.50</strong>"))
            let admin = try await shop.admin(port: port)
            #expect(try await admin.get("/admin/orders/\(number)/").text.contains("Shipping to Portugal</th><td>€4.50"))
            let csv = try await admin.get("/admin/orders.csv").text
            #expect(csv.contains(",PT,2 x GT-1 Sencha @ 12.50,25.00,4.50,4.67,true,29.50,EUR"))

            let message = try #require(try await shop.store.outbox.all().first { $0.orderNumber == number })
            let mail = try await OrderMail(orders: shop.store.orders, catalog: shop.catalog,
                                           themes: LiveTheme(try Theme(directory: shop.root.appendingPathComponent("themes/default"))),
                                           links: OrderLinkKeys(store: shop.store))
                .compose(message)
            #expect(mail.body.contains("Subtotal: €25.00\nShipping to Portugal: €4.50\nTax included in the prices: €4.67\n"))
            #expect(mail.body.contains("Total: €29.50"))
        }
    }

    @Test func overTheThresholdShippingIsFreeAndOtherZonesPayTheirRate() async throws {
        let shop = try TestShop(Self.files)
        try await shop.run { port in
            var fields = TestShop.customer
            fields["country"] = "FR"
            let browser = Browser(port: port)
            try await browser.json("POST", "/api/cart/items", ["sku": "GT-2", "quantity": 4])   // 4 × 30.00 = 120.00
            let free = try await browser.json("POST", "/api/orders", fields)
            #expect(free.json["shipping"] as? String == "0.00")
            #expect(free.json["tax"] as? String == "0.00")   // no rate for France
            #expect(free.json["total"] as? String == "120.00")
            try await browser.json("POST", "/api/cart/items", ["sku": "GT-1", "quantity": 1])
            let paid = try await browser.json("POST", "/api/orders", fields)
            #expect(paid.json["shipping"] as? String == "9.00")
            #expect(paid.json["total"] as? String == "21.50")
        }
    }

    /// A shop without shipping rules asks for no country, and an order is its lines.
    /// The cart and checkout estimate shipping and tax for the visitor's last chosen country (the
    /// cart's select, or the country of a checkout); without one, "calculated at checkout".
    @Test func theCartEstimatesForTheLastChosenCountry() async throws {
        let shop = try TestShop(Self.files)
        try await shop.run { port in
            let browser = Browser(port: port)
            try await browser.json("POST", "/api/cart/items", ["sku": "GT-1", "quantity": 2])   // 2 × 12.50
            let first = try await browser.get("/cart/").text
            #expect(first.contains("calculated at checkout") && !first.contains("(estimate)"))
            #expect(first.contains(#"<select id="estimate-country" name="country">"#))

            let chosen = try await browser.get("/cart/?country=pt").text
            #expect(chosen.contains("Shipping to Portugal (estimate)</th><td colspan=\"2\">€4.50"))
            #expect(chosen.contains("Tax included in the prices</th><td colspan=\"2\">€4.67"))   // 25.00 × 23/123, half to even
            #expect(chosen.contains("Estimated total</th><td colspan=\"2\"><strong>€29.50"))
            #expect(chosen.contains(#"<option value="PT" selected>Portugal</option>"#))
            // Remembered: the next cart and the checkout use it, and the checkout's select is preset.
            #expect(try await browser.get("/cart/").text.contains("Shipping to Portugal (estimate)"))
            let checkout = try await browser.get("/orders/checkout/").text
            #expect(checkout.contains(#"<option value="PT" selected>Portugal</option>"#))
            #expect(checkout.contains("<span>Shipping to Portugal</span><span>€4.50</span>") && checkout.contains("<strong>€29.50</strong>"))

            #expect(try await browser.get("/cart/?country=US").status == 400)   // not shipped to: refused, not remembered
            #expect(try await browser.get("/cart/").text.contains("Shipping to Portugal (estimate)"))

            // A checkout in Spain makes Spain the choice; the estimate equals what the order charged.
            var fields = TestShop.customer
            fields["country"] = "ES"
            let placed = try await browser.json("POST", "/api/orders", fields).json
            #expect(placed["shipping"] as? String == "9.00" && placed["total"] as? String == "34.00")
            try await browser.json("POST", "/api/cart/items", ["sku": "GT-1", "quantity": 2])
            let spain = try await browser.get("/cart/").text
            #expect(spain.contains("Shipping to Spain (estimate)</th><td colspan=\"2\">€9.00"))
            #expect(spain.contains("Estimated total</th><td colspan=\"2\"><strong>€34.00"))
            #expect(!spain.contains("Tax included"))   // Spain has no rate in this shop
        }
    }

    @Test func withoutRulesNothingChanges() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            let browser = Browser(port: port)
            try await browser.json("POST", "/api/cart/items", ["sku": "GT-1", "quantity": 1])
            #expect(!(try await browser.get("/orders/checkout/").text.contains(#"name="country""#)))
            let placed = try await browser.json("POST", "/api/orders", TestShop.customer)
            #expect(placed.status == 201)
            #expect(placed.json["country"] as? String == "")
            #expect(placed.json["subtotal"] as? String == "12.50")
            #expect(placed.json["shipping"] as? String == "0.00")
            #expect(placed.json["total"] as? String == "12.50")
        }
    }
}
