import AgoraStore
import AgoraTestSupport
import Foundation
import GRDB
import Testing

@Suite struct AccountTests {
    static let bob = ["username": "bob", "email": "bob@example.com", "name": "Bob Jones", "password": "correct horse"]

    @Test func registerLogOutAndLogIn() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            let browser = Browser(port: port)
            #expect(try await browser.get("/account/register/").text.contains(#"<label for="username">Username</label>"#))
            let registered = try await browser.form("/account/register/", Self.bob)
            #expect(registered.status == 303)
            #expect(registered[header: "location"] == "/account/")
            let dashboard = try await browser.get("/account/")
            #expect(dashboard.status == 200)
            #expect(dashboard.text.contains("Hello, Bob Jones"))
            let secret = try #require(browser.cookie)

            let loggedOut = try await browser.form("/account/logout/", [:])
            #expect(loggedOut.status == 303)
            #expect(loggedOut.setCookies.first?.contains("Max-Age=0") == true)
            // The old session is gone on the server, not just forgotten by the browser.
            let replay = Browser(port: port)
            replay.setCookie("agora_session", secret)
            let refused = try await replay.get("/account/")
            #expect(refused.status == 303)
            #expect(refused[header: "location"] == "/account/login/?next=/account/")

            let login = try await browser.form("/account/login/", ["username": "BOB", "password": "correct horse", "next": "/cart/"])
            #expect(login.status == 303)
            #expect(login[header: "location"] == "/cart/")
            #expect(try await browser.get("/account/").status == 200)
            let account = try #require(try await shop.store.accounts.account(username: "bob"))
            #expect(!account.isAdmin)
            let stored = try await shop.store.database.pool.read { db in
                try String.fetchOne(db, sql: "SELECT password_hash FROM accounts WHERE username = 'bob'")
            }
            // bcrypt at cost 10 over SHA-256 of the password (every byte counts).
            #expect(stored?.hasPrefix("sha256-bcrypt$$2") == true && stored?.contains("$10$") == true)
            #expect(stored?.contains("correct horse") == false)
            let joined = try await shop.store.database.pool.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM actions WHERE actor = 'bob' AND verb = 'joined'")
            }
            #expect(joined == 1)
        }
    }

    @Test func registrationRefusesBadFieldsTakenAndReservedNames() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            let browser = Browser(port: port)
            let bad = try await browser.form("/account/register/", ["username": "B!", "email": "nope", "name": "", "password": "short"])
            #expect(bad.status == 422)
            for message in ["Use 3 to 30 lower-case letters", "Enter an email address", "Enter your name", "Use 8 to 128 characters"] {
                #expect(bad.text.contains(message), "missing: \(message)")
            }
            #expect(bad.text.contains(#"value="B!""#))
            #expect(try await browser.form("/account/register/", Self.bob).status == 303)
            let taken = try await Browser(port: port).form("/account/register/", Self.bob.merging(["username": "Bob"]) { $1 })
            #expect(taken.status == 409)
            #expect(taken.text.contains("This username is taken"))
            let reserved = try await Browser(port: port).form("/account/register/", Self.bob.merging(["username": "ana"]) { $1 })
            #expect(reserved.status == 409)
            #expect(reserved.text.contains("belongs to a maker"))
        }
    }

    @Test func loginRotatesTheSessionAndMergesTheCart() async throws {
        let shop = try TestShop()
        _ = try await shop.store.accountRules.create(username: "bob", email: "bob@example.com", name: "Bob", password: "correct horse")
        try await shop.run { port in
            // Earlier, on another device: 3 Gyokuro in the account's cart.
            let other = Browser(port: port)
            try await other.form("/account/login/", ["username": "bob", "password": "correct horse"])
            try await other.json("POST", "/api/cart/items", ["sku": "GT-2", "quantity": 3])

            let browser = Browser(port: port)
            try await browser.json("POST", "/api/cart/items", ["sku": "GT-2", "quantity": 4])
            try await browser.json("POST", "/api/cart/items", ["sku": "GT-1", "quantity": 2])
            let anonymous = try #require(browser.cookie)
            try await browser.form("/account/login/", ["username": "bob", "password": "correct horse"])
            let rotated = try #require(browser.cookie)
            #expect(rotated != anonymous)
            let cart = try await browser.get("/api/cart").json
            let items = try #require(cart["items"] as? [[String: Any]])
            #expect(items.first { $0["sku"] as? String == "GT-2" }?["quantity"] as? Int == 5)  // 3 + 4, capped by the 5 left
            #expect(items.first { $0["sku"] as? String == "GT-1" }?["quantity"] as? Int == 2)
            // The id known before login is dead: no fixation.
            let fixed = Browser(port: port)
            fixed.setCookie("agora_session", anonymous)
            #expect(try await fixed.get("/api/cart").json["count"] as? Int == 0)
            #expect(try await fixed.get("/account/").status == 303)
        }
    }

    @Test func fiveFailedLoginsLockTheUsernameForFifteenMinutes() async throws {
        let clock = TestClock(1_800_000_000)
        let shop = try TestShop(clock: clock)
        _ = try await shop.store.accountRules.create(username: "bob", email: "bob@example.com", name: "Bob", password: "correct horse")
        try await shop.run { port in
            let browser = Browser(port: port)
            for _ in 0..<5 {
                let failed = try await browser.form("/account/login/", ["username": "bob", "password": "wrong"])
                #expect(failed.status == 422)
                #expect(failed.text.contains("Wrong username or password"))
            }
            let locked = try await browser.form("/account/login/", ["username": "bob", "password": "correct horse"])
            #expect(locked.status == 429)
            #expect(locked[header: "retry-after"] == "900")
            #expect(try await browser.form("/account/login/", ["username": "BOB", "password": "correct horse"]).status == 429)
            clock.advance(by: 15 * 60)
            #expect(try await browser.form("/account/login/", ["username": "bob", "password": "correct horse"]).status == 303)
        }
    }

    @Test func ordersBelongToTheAccountAndRedirectsStayOnSite() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            let browser = Browser(port: port)
            try await browser.form("/account/register/", Self.bob)
            try await browser.json("POST", "/api/cart/items", ["sku": "GT-1", "quantity": 1])
            let order = try await browser.json("POST", "/api/orders", TestShop.customer)
            let number = try #require(order.json["number"] as? String)
            #expect(try await browser.get("/account/").text.contains(number))
            #expect(try await shop.store.orders.order(number: number)?.accountID != nil)
            // Another device of the same account sees it; another account does not.
            let phone = Browser(port: port)
            try await phone.form("/account/login/", ["username": "bob", "password": "correct horse"])
            #expect(try await phone.get("/orders/\(number)/").status == 200)
            let eve = Browser(port: port)
            try await eve.form("/account/register/", ["username": "eve", "email": "eve@example.com", "name": "Eve", "password": "12345678"])
            #expect(try await eve.get("/orders/\(number)/").status == 404)

            for next in ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"] {
                let reply = try await Browser(port: port).form("/account/login/", ["username": "bob", "password": "correct horse", "next": next])
                #expect(reply[header: "location"] == "/account/", "\(next)")
            }
        }
    }
}
