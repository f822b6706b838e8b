@testable import AgoraServer
import AgoraStore
import AgoraTestSupport
import AgoraTheme
import Foundation
import Testing

/// Fulfilment from the admin order page (SPEC §6.9): paid → shipped (carrier, tracking) →
/// delivered, each step on the customer's order page with its time, and the shipping mail with
/// the tracking link.
@Suite struct FulfilmentTests {
    @Test func theOwnerShipsAndDeliversAndTheCustomerSeesEachStep() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            let buyer = Browser(port: port)
            try await buyer.json("POST", "/api/cart/items", ["sku": "GT-1", "quantity": 1])
            let number = try #require(try await buyer.json("POST", "/api/orders", TestShop.customer).json["number"] as? String)
            let admin = try await shop.admin(port: port)

            // Not before it is paid.
            let early = try await admin.form("/admin/orders/\(number)/ship", ["carrier": "CTT", "tracking": "RR1PT"])
            #expect(early.status == 409)
            #expect(try await admin.form("/admin/orders/\(number)/mark-paid", [:]).status == 303)
            let page = try await admin.get("/admin/orders/\(number)/")
            #expect(page.text.contains("Mark shipped") && !page.text.contains("Mark delivered"))
            let tooLong = try await admin.form("/admin/orders/\(number)/ship", ["tracking": String(repeating: "x", count: 201)])
            #expect(tooLong.status == 400)
            #expect(try await admin.form("/admin/orders/\(number)/ship",
                                         ["carrier": "CTT", "tracking": "https://track.example/RR1PT?x=<b>"]).status == 303)

            let seen = try await buyer.get("/orders/\(number)/").text
            #expect(seen.contains("Shipped with CTT."))
            #expect(seen.contains(#"<a href="https://track.example/RR1PT?x=&lt;b&gt;" rel="noopener noreferrer">"#))   // escaped
            #expect(seen.contains("<strong>Placed</strong>") && seen.contains("<strong>Paid</strong>") && seen.contains("UTC</time>"))
            let json = try await buyer.get("/api/orders/\(number)").json
            #expect((json["history"] as? [[String: Any]])?.compactMap { $0["status"] as? String } == ["pending", "paid", "shipped"])
            #expect(json["carrier"] as? String == "CTT")

            // The shipping mail carries the tracking and the order's own link.
            let message = try #require(try await shop.store.outbox.all().first { $0.kind == "order_shipped" })
            let mail = try await OrderMail(orders: shop.store.orders, catalog: shop.catalog,
                                           themes: LiveTheme(try Theme(directory: shop.root.appendingPathComponent("themes/default"))),
                                           links: OrderLinkKeys(store: shop.store)).compose(message)
            #expect(mail.subject == "Order nr. \(number): On its way" && mail.to == "ana@example.com")
            #expect(mail.body.contains("with CTT") && mail.body.contains("Follow the parcel: https://track.example/RR1PT?x=<b>"))
            #expect(mail.body.contains("https://tea.example/orders/\(number)/?key="))

            #expect(try await admin.form("/admin/orders/\(number)/deliver", [:]).status == 303)
            #expect(try await shop.store.orders.order(number: number)?.status == .delivered)
            #expect(try await buyer.get("/orders/\(number)/").text.contains("<strong>Delivered</strong>"))
            // A refund by hand in a shop without a payment provider.
            #expect(try await admin.get("/admin/orders/\(number)/").text.contains("Mark refunded"))
            #expect(try await admin.form("/admin/orders/\(number)/refund", [:]).status == 303)
            #expect(try await shop.store.orders.order(number: number)?.history.last?.note == "refunded by hand")
            // Strangers cannot do any of it: they are sent to log in, and nothing changes.
            let stranger = try await buyer.form("/admin/orders/\(number)/ship", [:])
            #expect(stranger.status == 303 && stranger.headers["location"]?.hasPrefix("/account/login/") == true)
            #expect(try await shop.store.orders.order(number: number)?.status == .refunded)
        }
    }
}
