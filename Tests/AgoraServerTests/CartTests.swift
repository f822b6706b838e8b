import AgoraStore
import AgoraTestSupport
import Foundation
import Testing

@Suite struct CartTests {
    @Test func shoppingWithPlainFormsFollowsPostRedirectGet() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            let browser = Browser(port: port)
            let added = try await browser.form("/cart/add/GT-1", ["quantity": "2"])
            #expect(added.status == 303)
            #expect(added[header: "location"] == "/cart/")
            try await browser.form("/cart/add/GT-1", ["quantity": "1"])  // adds: 3
            try await browser.form("/cart/add/GT-2", ["quantity": "1"])
            var page = try await browser.get("/cart/")
            #expect(page.status == 200)
            #expect(page.text.contains(#"<a href="/products/sencha/">Sencha</a>"#))
            #expect(page.text.contains(#"value="3""#))
            #expect(page.text.contains("€37.50"))   // 3 × 12.50
            #expect(page.text.contains("Total (4 items)"))
            #expect(page.text.contains("€67.50"))
            #expect(page.text.contains(#"data-cart-summary>Your cart: 4 items, €67.50</a>"#))  // the header on server pages

            try await browser.form("/cart/add/GT-1", ["quantity": "1", "update": "true"])  // replaces: 1
            page = try await browser.get("/cart/")
            #expect(page.text.contains("Total (2 items)"))
            #expect(page.text.contains("€42.50"))
            let removed = try await browser.form("/cart/remove/GT-2", [:])
            #expect(removed.status == 303)
            let cart = try await browser.get("/api/cart").json
            #expect(cart["count"] as? Int == 1)
            #expect(cart["total"] as? String == "12.50")
            #expect(cart["summary"] as? String == "Your cart: 1 item, €12.50")
            #expect(try await browser.get("/cart/").text.contains("Total (1 item)"))
        }
    }

    /// The header summary (SPEC §6.10) on the server's pages and in the API the static pages read,
    /// and the cart page's thumbnail column.
    @Test func everyPageSaysWhatIsInTheCart() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            let browser = Browser(port: port)
            #expect(try await browser.get("/api/cart").json["summary"] as? String == "Your cart is empty")
            #expect(try await browser.get("/cart/").text.contains(#"data-cart-summary>Your cart is empty</a>"#))
            #expect(try await browser.get("/account/login/").text.contains(#"data-cart-summary>Your cart is empty</a>"#))
            let added = try await browser.json("POST", "/api/cart/items", ["sku": "GT-2", "quantity": 2])
            #expect(added.json["summary"] as? String == "Your cart: 2 items, €60.00")
            for path in ["/cart/", "/orders/checkout/", "/account/login/", "/ranking/"] {
                #expect(try await browser.get(path).text.contains(#"data-cart-summary>Your cart: 2 items, €60.00</a>"#), "\(path)")
            }
            // Static pages carry the hook the theme script fills from GET /api/cart.
            let product = try await browser.get("/products/sencha/").text
            #expect(product.contains(#"<a class="cart-link" href="/cart/" data-cart-summary>Your cart</a>"#))

            // No picture of its own: the theme's placeholder, in the thumbnail column.
            let cart = try await browser.get("/cart/").text
            #expect(cart.contains(#"<td class="cart-thumb"><img src="/assets/no_image."#))
        }
    }

    @Test func theJSONCartMatchesTheContract() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            let browser = Browser(port: port)
            let empty = try await browser.get("/api/cart")
            #expect(empty.status == 200)
            #expect(empty[header: "content-type"] == "application/json; charset=utf-8")
            #expect(empty.json["count"] as? Int == 0)
            #expect(empty.json["currency"] as? String == "EUR")
            try await browser.json("POST", "/api/cart/items", ["sku": "GT-1", "quantity": 2])
            let cart = try await browser.json("POST", "/api/cart/items", ["sku": "GT-2", "quantity": 1, "update": false]).json
            #expect(cart["count"] as? Int == 3)
            #expect(cart["total"] as? String == "55.00")
            let items = try #require(cart["items"] as? [[String: Any]])
            #expect(items.count == 2)
            let sencha = try #require(items.first { $0["sku"] as? String == "GT-1" })
            #expect(sencha["name"] as? String == "Sencha")
            #expect(sencha["url"] as? String == "/products/sencha/")
            #expect(sencha["quantity"] as? Int == 2)
            #expect(sencha["price"] as? String == "12.50")
            #expect(sencha["total"] as? String == "25.00")
            let afterDelete = try await browser.send("DELETE", "/api/cart/items/GT-2").json
            #expect(afterDelete["count"] as? Int == 2)
        }
    }

    @Test func refusalsCarryTheirStatusAndCode() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            let browser = Browser(port: port)
            func error(_ reply: HTTPReply) -> [String: Any] { reply.json["error"] as? [String: Any] ?? [:] }
            let unknown = try await browser.json("POST", "/api/cart/items", ["sku": "NOPE", "quantity": 1])
            #expect(unknown.status == 404)
            #expect(error(unknown)["code"] as? String == "unknown_product")
            let unavailable = try await browser.json("POST", "/api/cart/items", ["sku": "GT-9", "quantity": 1])
            #expect(unavailable.status == 404)
            for quantity in [0, 21, -3] {
                let bad = try await browser.json("POST", "/api/cart/items", ["sku": "GT-1", "quantity": quantity])
                #expect(bad.status == 400)
                #expect(error(bad)["field"] as? String == "quantity")
            }
            let tooMany = try await browser.json("POST", "/api/cart/items", ["sku": "GT-2", "quantity": 6])
            #expect(tooMany.status == 409)
            #expect(error(tooMany)["code"] as? String == "out_of_stock")
            #expect(error(tooMany)["message"] as? String == "Only 5 of Gyokuro left")
            try await browser.json("POST", "/api/cart/items", ["sku": "GT-2", "quantity": 4])
            let overTheTop = try await browser.json("POST", "/api/cart/items", ["sku": "GT-2", "quantity": 2])
            #expect(overTheTop.status == 409)  // 4 in the cart + 2 > 5 left
            let missingField = try await browser.json("POST", "/api/cart/items", ["quantity": 1])
            #expect(missingField.status == 400)

            // The HTML forms answer with the theme's error page and the same status.
            let formUnknown = try await browser.form("/cart/add/NOPE", ["quantity": "1"])
            #expect(formUnknown.status == 404)
            #expect(formUnknown.text.contains("No product with sku NOPE is for sale"))
            #expect(try await browser.form("/cart/add/GT-1", ["quantity": "lots"]).status == 400)
            #expect(try await browser.form("/cart/add/GT-1", ["quantity": "25"]).status == 400)
            let formStock = try await browser.form("/cart/add/GT-2", ["quantity": "9"])
            #expect(formStock.status == 409)
            #expect(formStock.text.contains("Only 5 of Gyokuro left"))
        }
    }

    @Test func linesKeepThePriceTheyWereAddedAt() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            let browser = Browser(port: port)
            try await browser.json("POST", "/api/cart/items", ["sku": "GT-1", "quantity": 1])
            var files = TestShop.catalog
            files["products/sencha.md"] = files["products/sencha.md"]?.replacingOccurrences(of: "price: 12.50", with: "price: 14.00")
            try shop.rebuild(files)
            #expect(try await shop.admin(port: port).send("POST", "/admin/reload").status == 200)
            #expect(try await browser.get("/api/cart").json["total"] as? String == "12.50")
            let second = Browser(port: port)
            #expect(try await second.json("POST", "/api/cart/items", ["sku": "GT-1", "quantity": 1]).json["total"] as? String == "14.00")
            // The cart page says the price moved and what a new quantity will cost.
            #expect(try await browser.get("/cart/").text.contains("Now €14.00; a new quantity is charged at that price."))

            // Ten more units: all eleven at today's price, never ten at the old one (SPEC §6.11).
            let more = try await browser.json("POST", "/api/cart/items", ["sku": "GT-1", "quantity": 10])
            #expect(more.json["total"] as? String == "154.00")
            #expect(try await browser.get("/cart/").text.contains("Price changed from €12.50."))
            let order = try await browser.json("POST", "/api/orders", TestShop.customer)
            #expect(order.status == 201)
            #expect(order.json["total"] as? String == "154.00")
        }
    }

    @Test func mergingACartAtLoginUsesTheCurrentPrice() async throws {
        let shop = try TestShop()
        _ = try await shop.store.accountRules.create(username: "bob", email: "bob@example.com", name: "Bob", password: "correct horse")
        try await shop.run { port in
            let bob = Browser(port: port)
            try await bob.form("/account/login/", ["username": "bob", "password": "correct horse"])
            try await bob.json("POST", "/api/cart/items", ["sku": "GT-1", "quantity": 1])
            var files = TestShop.catalog
            files["products/sencha.md"] = files["products/sencha.md"]?.replacingOccurrences(of: "price: 12.50", with: "price: 14.00")
            try shop.rebuild(files)
            #expect(try await shop.admin(port: port).send("POST", "/admin/reload").status == 200)
            let anonymous = Browser(port: port)
            try await anonymous.json("POST", "/api/cart/items", ["sku": "GT-1", "quantity": 2])
            #expect(try await anonymous.form("/account/login/", ["username": "bob", "password": "correct horse"]).status == 303)
            let merged = try await anonymous.get("/api/cart").json
            #expect(merged["count"] as? Int == 3)
            #expect(merged["total"] as? String == "42.00")
        }
    }
}
