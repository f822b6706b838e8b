@testable import AgoraServer
import AgoraStore
import AgoraTestSupport
import AgoraTheme
import Foundation
import Testing

/// The order link in every customer mail (SPEC §6.9): `/orders/<number>/?key=<token>`, the token an
/// HMAC of the number with the shop's secret, opens the order from any device; a wrong or missing
/// key is the same 404 as an unknown order.
@Suite struct OrderLinkTests {
    @Test func theMailedLinkOpensTheOrderAnywhereAndNothingElseDoes() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            let buyer = Browser(port: port)
            try await buyer.json("POST", "/api/cart/items", ["sku": "GT-1", "quantity": 1])
            let first = try #require(try await buyer.json("POST", "/api/orders", TestShop.customer).json["number"] as? String)
            try await buyer.json("POST", "/api/cart/items", ["sku": "GT-2", "quantity": 1])
            let second = try #require(try await buyer.json("POST", "/api/orders", TestShop.customer).json["number"] as? String)

            let message = try #require(try await shop.store.outbox.all().first { $0.orderNumber == first })
            let mail = try await OrderMail(orders: shop.store.orders, catalog: shop.catalog,
                                           themes: LiveTheme(try Theme(directory: shop.root.appendingPathComponent("themes/default"))),
                                           links: OrderLinkKeys(store: shop.store)).compose(message)
            let link = try #require(mail.body.firstMatch(of: /https:\/\/tea\.example\/(orders\/[0-9A-Z-]+\/\?key=[A-Za-z0-9_-]{22})/))
            let path = "/" + String(link.1)
            #expect(path.hasPrefix("/orders/\(first)/?key="))

            // A fresh client with no cookies: the link works, and only the link.
            let stranger = HTTPClient(port: port)
            let opened = try await stranger.send("GET", path)
            #expect(opened.status == 200)
            #expect(opened.text.contains(first) && opened.text.contains("Sencha"))
            let key = String(path.split(separator: "=").last ?? "")
            #expect(try await stranger.send("GET", "/orders/\(first)/").status == 404)
            #expect(try await stranger.send("GET", "/orders/\(first)/?key=" + String(key.reversed())).status == 404)
            #expect(try await stranger.send("GET", "/orders/\(second)/?key=\(key)").status == 404)   // another order's key
            #expect(try await stranger.send("GET", "/orders/\(first)/?key=").status == 404)
            let unknown = try await stranger.send("GET", "/orders/ZZZZ-ZZZZ/?key=\(key)")
            #expect(unknown.status == 404)
            #expect(unknown.text == (try await stranger.send("GET", "/orders/\(first)/?key=nope")).text)   // nothing tells them apart

            // The thanks page shows the same link, so it can be kept.
            #expect(try await buyer.get("/orders/\(first)/").text.contains("https://tea.example" + path.replacingOccurrences(of: "&", with: "&amp;")))
        }
    }

    /// With `owner_email` in site.yml, every order also queues `new_order` to the owner, with the
    /// customer, the amounts and the admin page's link.
    @Test func theOwnerHearsOfEveryOrder() async throws {
        var files = TestShop.catalog
        files["site.yml"]! += "owner_email: owner@tea.example\n"
        let shop = try TestShop(files)
        try await shop.run { port in
            let buyer = Browser(port: port)
            try await buyer.json("POST", "/api/cart/items", ["sku": "GT-1", "quantity": 2])
            let number = try #require(try await buyer.json("POST", "/api/orders", TestShop.customer).json["number"] as? String)
            let messages = try await shop.store.outbox.all().filter { $0.orderNumber == number }
            #expect(Set(messages.map(\.kind)) == ["order_created", "new_order"])
            let notice = try #require(messages.first { $0.kind == "new_order" })
            #expect(notice.recipient == "owner@tea.example")
            let mail = try await OrderMail(orders: shop.store.orders, catalog: shop.catalog,
                                           themes: LiveTheme(try Theme(directory: shop.root.appendingPathComponent("themes/default"))),
                                           links: OrderLinkKeys(store: shop.store)).compose(notice)
            #expect(mail.subject == "New order \(number)")
            #expect(mail.body.contains("From: Ana Silva <ana@example.com>"))
            #expect(mail.body.contains("2 x Sencha (GT-1)  €25.00"))
            #expect(mail.body.contains("Open it in the admin: https://tea.example/admin/orders/\(number)/"))
        }
        // Without it, only the customer's confirmation.
        let plain = try TestShop()
        try await plain.run { port in
            let buyer = Browser(port: port)
            try await buyer.json("POST", "/api/cart/items", ["sku": "GT-1", "quantity": 1])
            _ = try await buyer.json("POST", "/api/orders", TestShop.customer)
            #expect(try await plain.store.outbox.all().map(\.kind) == ["order_created"])
        }
    }
}
