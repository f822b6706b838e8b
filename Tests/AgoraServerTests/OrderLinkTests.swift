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
}
