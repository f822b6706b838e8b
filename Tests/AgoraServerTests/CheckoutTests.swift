import AgoraStore
import AgoraTestSupport
import Foundation
import GRDB
import Testing

@Suite struct CheckoutTests {
    @Test func theWholeShoppingFlow() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            let browser = Browser(port: port)
            try await browser.form("/cart/add/GT-1", ["quantity": "2"])
            try await browser.form("/cart/add/GT-2", ["quantity": "1"])
            let form = try await browser.get("/orders/checkout/")
            #expect(form.status == 200)
            #expect(form.text.contains(#"<label for="postal_code">Postal code</label>"#))
            #expect(form.text.contains("2 × Sencha"))

            let placed = try await browser.form("/orders/checkout/", TestShop.customer)
            #expect(placed.status == 303)
            let location = try #require(placed[header: "location"])
            let number = try #require(location.firstMatch(of: /^\/orders\/([0-9A-Z]{4}-[0-9A-Z]{4})\/$/)?.1)
            let thanks = try await browser.get(location)
            #expect(thanks.status == 200)
            #expect(thanks.text.contains("Thank you, Ana!"))
            #expect(thanks.text.contains(String(number)))
            #expect(thanks.text.contains("€55.00"))
            #expect(try await browser.get("/api/cart").json["count"] as? Int == 0)  // the cart was emptied

            let order = try #require(try await shop.store.orders.order(number: String(number)))
            #expect(order.status == .pending)
            #expect(order.total.minorUnits == 5500)
            #expect(order.currency == "EUR")
            #expect(order.customer.postalCode == "4050-262")
            #expect(order.items.map(\.sku) == ["GT-1", "GT-2"])
            #expect(order.items.map(\.quantity) == [2, 1])
            #expect(order.items.map(\.name) == ["Sencha", "Gyokuro"])
            #expect(try await shop.store.carts.unitsSold() == ["GT-1": 2, "GT-2": 1])
            #expect(try await browser.get("/api/products/GT-2").json["stock"] as? Int == 4)

            // Only the session that placed the order may see it.
            let stranger = Browser(port: port)
            try await stranger.json("POST", "/api/cart/items", ["sku": "GT-1", "quantity": 1])
            #expect(try await stranger.get(location).status == 404)
            #expect(try await HTTPClient(port: port).send("GET", location).status == 404)
        }
    }

    @Test func invalidFieldsRerenderTheFormWithMessagesAndValues() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            let browser = Browser(port: port)
            try await browser.form("/cart/add/GT-1", ["quantity": "1"])
            var fields = TestShop.customer
            fields["email"] = "not-an-email"
            fields["last_name"] = ""
            fields["city"] = String(repeating: "x", count: 101)
            fields["first_name"] = "<script>alert(1)</script>"
            let reply = try await browser.form("/orders/checkout/", fields)
            #expect(reply.status == 422)
            #expect(reply.text.contains("Enter an email address like name@example.com"))
            #expect(reply.text.contains("Last name is required"))
            #expect(reply.text.contains("City must be at most 100 characters"))
            #expect(reply.text.contains(#"value="not-an-email""#))
            #expect(reply.text.contains(#"value="Rua das Flores 1""#))
            #expect(reply.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(!reply.text.contains("<script>alert(1)"))
            #expect(try await shop.store.orders.count() == 0)

            let api = try await browser.json("POST", "/api/orders", fields)
            #expect(api.status == 422)
            #expect((api.json["error"] as? [String: Any])?["field"] as? String == "last_name")
        }
    }

    @Test func anEmptyCartCannotBeCheckedOut() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            let browser = Browser(port: port)
            #expect(try await browser.get("/orders/checkout/").text.contains("Your cart is empty"))
            let api = try await browser.json("POST", "/api/orders", TestShop.customer)
            #expect(api.status == 409)
            #expect((api.json["error"] as? [String: Any])?["code"] as? String == "empty_cart")
            #expect(try await browser.form("/orders/checkout/", TestShop.customer).status == 409)
        }
    }

    @Test func orderReplaysWithTheSameIdempotencyKeyReturnTheSameOrder() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            let browser = Browser(port: port)
            try await browser.json("POST", "/api/cart/items", ["sku": "GT-1", "quantity": 3])
            let first = try await browser.json("POST", "/api/orders", TestShop.customer, headers: ["Idempotency-Key": "order-1"])
            #expect(first.status == 201)
            let number = try #require(first.json["number"] as? String)
            #expect(first.json["status"] as? String == "pending")
            #expect(first.json["total"] as? String == "37.50")
            #expect((first.json["items"] as? [[String: Any]])?.first?["quantity"] as? Int == 3)

            let replay = try await browser.json("POST", "/api/orders", TestShop.customer, headers: ["Idempotency-Key": "order-1"])
            #expect(replay.status == 200)
            #expect(replay.json["number"] as? String == number)
            var other = TestShop.customer
            other["city"] = "Lisboa"
            let mismatch = try await browser.json("POST", "/api/orders", other, headers: ["Idempotency-Key": "order-1"])
            #expect(mismatch.status == 422)
            #expect(try await shop.store.orders.count() == 1)
            #expect(try await shop.store.carts.unitsSold() == ["GT-1": 3])

            // A key is the shopper's own: the same key from another session is a new request.
            let secondShopper = Browser(port: port)
            try await secondShopper.json("POST", "/api/cart/items", ["sku": "GT-1", "quantity": 1])
            let theirs = try await secondShopper.json("POST", "/api/orders", TestShop.customer, headers: ["Idempotency-Key": "order-1"])
            #expect(theirs.status == 201)
            #expect(theirs.json["number"] as? String != number)

            // While the first request with a key is still running, a second gets 409.
            try await browser.json("POST", "/api/cart/items", ["sku": "GT-1", "quantity": 1])
            let session = try #require(try await shop.store.sessions.find(secret: browser.cookie ?? ""))
            let key = IdempotencyKey(scope: session.cartOwner.description, value: "running", requestHash: "x")
            #expect(try await shop.store.idempotency.begin(key) == .proceed)
            let busy = try await browser.json("POST", "/api/orders", TestShop.customer, headers: ["Idempotency-Key": "running"])
            #expect(busy.status == 409)
            #expect((busy.json["error"] as? [String: Any])?["code"] as? String == "idempotency_key_in_use")
        }
    }

    @Test func concurrentReplaysOfOneKeyMakeOneOrder() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            let browser = Browser(port: port)
            try await browser.json("POST", "/api/cart/items", ["sku": "GT-1", "quantity": 2])
            let replies = try await withThrowingTaskGroup(of: HTTPReply.self) { group in
                for _ in 0..<16 {
                    group.addTask { try await browser.json("POST", "/api/orders", TestShop.customer, headers: ["Idempotency-Key": "same"]) }
                }
                return try await group.reduce(into: [HTTPReply]()) { $0.append($1) }
            }
            // One creates the order; the others get it back (200) or are told it is still being made (409).
            #expect(replies.filter { $0.status == 201 }.count == 1)
            #expect(replies.allSatisfy { [200, 201, 409].contains($0.status) }, "\(replies.map(\.status))")
            #expect(Set(replies.compactMap { $0.json["number"] as? String }).count == 1)
            #expect(try await shop.store.orders.count() == 1)
            #expect(try await shop.store.carts.unitsSold() == ["GT-1": 2])
            #expect(try await shop.store.outbox.all().count == 1, "one confirmation mail")
        }
    }

    @Test func twentyShoppersRaceForTheLastFiveUnits() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            let shoppers = (0..<20).map { _ in Browser(port: port) }
            for shopper in shoppers {
                #expect(try await shopper.json("POST", "/api/cart/items", ["sku": "GT-2", "quantity": 1]).status == 200)
            }
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for shopper in shoppers {
                    group.addTask { try await shopper.json("POST", "/api/orders", TestShop.customer).status }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 201 }.count == 5)
            #expect(statuses.filter { $0 == 409 }.count == 15)
            #expect(try await shop.store.carts.unitsSold() == ["GT-2": 5])
            #expect(try await shop.store.orders.count() == 5)
            let units = try await shop.store.database.pool.read { db in
                try Int.fetchOne(db, sql: "SELECT SUM(quantity) FROM order_items WHERE sku = 'GT-2'")
            }
            #expect(units == 5)
            #expect(try await HTTPClient(port: port).send("GET", "/api/products/GT-2").json["stock"] as? Int == 0)
        }
    }

    @Test func aRebuildWithMoreStockRestocksWithoutLosingSales() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            let browser = Browser(port: port)
            try await browser.json("POST", "/api/cart/items", ["sku": "GT-2", "quantity": 5])
            #expect(try await browser.json("POST", "/api/orders", TestShop.customer).status == 201)
            #expect(try await browser.get("/api/products/GT-2").json["available"] as? Bool == false)
            var files = TestShop.catalog
            files["products/gyokuro.md"] = files["products/gyokuro.md"]?.replacingOccurrences(of: "stock: 5", with: "stock: 8")
            try shop.rebuild(files)
            #expect(try await shop.admin(port: port).send("POST", "/admin/reload").status == 200)
            let product = try await browser.get("/api/products/GT-2").json
            #expect(product["stock"] as? Int == 3)
            #expect(product["available"] as? Bool == true)
        }
    }
}

@Suite struct SystemRouteTests {
    @Test func productFactsHealthAndTheAPIDescription() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            let client = HTTPClient(port: port)
            let product = try await client.send("GET", "/api/products/GT-1")
            #expect(product.status == 200)
            #expect(product.json["sku"] as? String == "GT-1")
            #expect(product.json["stock"] as? Int == 40)
            #expect(product.json["available"] as? Bool == true)
            #expect(product.json["views"] as? Int == 0)
            #expect(product.json["likes"] as? Int == 0)
            #expect(product.json["liked"] as? Bool == false)
            #expect(try await client.send("GET", "/api/products/NOPE").status == 404)
            let gone = try await client.send("GET", "/api/products/GT-9").json
            #expect(gone["available"] as? Bool == false)
            let health = try await client.send("GET", "/healthz")
            #expect(health.status == 200)
            #expect(health.json["status"] as? String == "ok")
            #expect(health.json["backend"] as? String == "sqlite")
            let openapi = try await client.send("GET", "/api/openapi.yaml")
            #expect(openapi.status == 200)
            #expect(openapi.text.hasPrefix("openapi: 3.1"))
        }
    }

    @Test func reloadIsForAdminsAndKeepsTheCatalogOnBadManifests() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            let client = HTTPClient(port: port)
            let anonymous = try await client.send("POST", "/admin/reload")
            #expect(anonymous.status == 303)
            #expect(anonymous[header: "location"]?.hasPrefix("/account/login/") == true)
            try Data("{broken".utf8).write(to: shop.output.appendingPathComponent("catalog.json"))
            let reload = try await shop.admin(port: port).send("POST", "/admin/reload")
            #expect(reload.status == 409)
            #expect(try await client.send("GET", "/api/products/GT-1").json["stock"] as? Int == 40)
        }
    }

    /// A product removed after it went into a cart (SPEC §6.3): the cart says so with its remove
    /// button, and checkout answers 409 naming it, over JSON and the form, never 404.
    @Test func staleCartLinesAreNamedAndCanBeRemoved() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            let browser = Browser(port: port)
            try await browser.json("POST", "/api/cart/items", ["sku": "GT-1", "quantity": 1])
            try await browser.json("POST", "/api/cart/items", ["sku": "GT-2", "quantity": 1])
            var files = TestShop.catalog
            files["products/sencha.md"] = files["products/sencha.md"]?.replacingOccurrences(of: "stock: 40", with: "stock: 40\navailable: false")
            try shop.rebuild(files)
            #expect(try await shop.admin(port: port).send("POST", "/admin/reload").status == 200)

            let cart = try await browser.get("/cart/").text
            #expect(cart.contains("Sencha is no longer for sale; remove it from your cart to check out."))
            #expect(cart.contains("No longer for sale"))
            #expect(cart.contains(#"action="/cart/remove/GT-1""#))
            #expect(!cart.contains(#"action="/cart/add/GT-1""#))

            let json = try await browser.json("POST", "/api/orders", TestShop.customer)
            #expect(json.status == 409)
            let error = try #require(json.json["error"] as? [String: Any])
            #expect(error["code"] as? String == "no_longer_for_sale")
            #expect(error["skus"] as? [String] == ["GT-1"])
            #expect(error["message"] as? String == "Sencha is no longer for sale; remove it from your cart to check out.")

            let form = try await browser.form("/orders/checkout/", TestShop.customer)
            #expect(form.status == 409)
            #expect(form.text.contains("Sencha is no longer for sale"))
            #expect(form.text.contains(#"value="Rua das Flores 1""#))   // what was typed is kept
            #expect(try await shop.store.orders.count() == 0)

            #expect(try await browser.form("/cart/remove/GT-1", [:]).status == 303)
            #expect(try await browser.json("POST", "/api/orders", TestShop.customer).status == 201)
        }
    }
}
