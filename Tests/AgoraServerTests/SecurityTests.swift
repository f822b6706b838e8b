@testable import AgoraStore
import AgoraTestSupport
import Foundation
import Testing

/// Hostile input that reaches other people's screens and the database: inert everywhere.
@Suite struct SecurityTests {
    static let markup = #"<img src=x onerror="alert(1)"><script>alert(2)</script>"#
    static let sql = #"x' OR '1'='1'; DROP TABLE orders; --"#

    @Test func markupInNamesAndOrderFieldsIsShownAsText() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            // A shopper whose display name and order fields are markup.
            let mallory = Browser(port: port)
            #expect(try await mallory.form("/account/register/", ["username": "mallory", "email": "m@example.com",
                                                                   "name": Self.markup, "password": "12345678"]).status == 303)
            #expect(try await mallory.json("POST", "/api/likes", ["sku": "GT-1", "action": "like"]).status == 200)
            try await mallory.json("POST", "/api/cart/items", ["sku": "GT-1", "quantity": 1])
            var customer = TestShop.customer
            customer["first_name"] = "<b>Mal</b>"
            customer["address"] = Self.markup
            let placed = try await mallory.json("POST", "/api/orders", customer)
            let number = try #require(placed.json["number"] as? String)

            let pages = [try await mallory.get("/account/"), try await mallory.get("/orders/\(number)/")]
            // Someone who follows nobody sees everyone's actions, Mallory's like among them.
            let reader = Browser(port: port)
            try await reader.form("/account/register/", ["username": "reader", "email": "r@example.com", "name": "Reader",
                                                        "password": "12345678"])
            let feed = try await reader.get("/account/")
            #expect(feed.text.contains("&lt;img src=x onerror="))
            let admin = try await shop.admin(port: port)
            let adminPages = [try await admin.get("/admin/orders/"), try await admin.get("/admin/orders/\(number)/")]
            for page in pages + [feed] + adminPages {
                #expect(page.status == 200)
                #expect(!page.text.contains("<script>alert(2)"), "\(page.text.prefix(200))")
                #expect(!page.text.contains("<img src=x"))
                #expect(!page.text.contains("<b>Mal</b>"))
            }
            #expect(adminPages[1].text.contains("&lt;script&gt;alert(2)&lt;/script&gt;"))
        }
    }

    @Test func sqlMetacharactersAreDataEverywhere() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            let browser = Browser(port: port)
            let client = HTTPClient(port: port)
            let encoded = Self.sql.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            #expect(try await browser.json("POST", "/api/cart/items", ["sku": Self.sql, "quantity": 1]).status == 404)
            #expect(try await client.send("GET", "/api/products/\(encoded)").status == 404)
            #expect(try await client.send("GET", "/api/people/\(encoded)").status == 404)
            #expect(try await client.send("POST", "/api/views/product/\(encoded)").status == 404)
            #expect(try await client.send("GET", "/api/ranking?kind=\(encoded)&by=\(encoded)").status == 400)
            #expect(try await client.send("GET", "/api/feed?before=\(encoded)").status == 401)
            #expect(try await browser.form("/account/login/", ["username": Self.sql, "password": Self.sql]).status == 422)
            let registered = try await browser.form("/account/register/", ["username": "bobby", "email": "b@example.com",
                                                                          "name": Self.sql, "password": Self.sql])
            #expect(registered.status == 303)
            #expect(try await browser.json("POST", "/api/follow", ["username": Self.sql, "action": "follow"]).status == 404)
            #expect(try await browser.json("GET", "/api/feed?before=\(encoded)", [:]).status == 400)
            try await browser.json("POST", "/api/cart/items", ["sku": "GT-1", "quantity": 1])
            var customer = TestShop.customer
            customer["city"] = Self.sql
            let placed = try await browser.json("POST", "/api/orders", customer, headers: ["Idempotency-Key": Self.sql])
            #expect(placed.status == 201)
            let number = try #require(placed.json["number"] as? String)
            // Stored as written, and nothing else happened to the tables.
            #expect(try await shop.store.orders.order(number: number)?.customer.city == Self.sql)
            #expect(try await shop.store.accounts.account(username: "bobby")?.name == Self.sql)
            #expect(try await shop.store.orders.count() == 1)
            #expect(await shop.store.isHealthy())
        }
    }
}
