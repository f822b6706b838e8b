@testable import AgoraServer
import AgoraContent
import AgoraStore
import AgoraTestSupport
import Foundation
import GRDB
import NIOCore
import HTTPTypes
import Hummingbird
import Testing

@Suite struct SessionTests {
    /// `cookieValue` finds what Hummingbird's `cookies[name]?.value` finds, for any Cookie headers.
    @Test func cookieValueAgreesWithHummingbirdsCookies() {
        let headers: [[String]] = [
            [], ["agora_session=abc"], ["a=1; agora_session=abc; b=2"], ["a=1;agora_session=abc"], ["  agora_session=abc  "],
            ["agora_sessionx=1; agora_session=2"], ["xagora_session=1"], ["agora_session="], ["agora_session"], ["agora_session=a=b"],
            ["a=1", "agora_session=second"], ["agora_session=first", "agora_session=second"], [";;agora_session=x;;"],
            ["agora_country=PT; agora_session=s"], ["\tagora_session=tab"], ["agora_session=\"quoted\""],
            ["\u{A0}agora_session=nbsp"], ["é=1; agora_session=after"], ["agora_session=a;\u{301}b=2"], ["a=ü", "agora_session=ascii"],
            ["\r\nagora_session=crlf; a=\r\n"],
        ]
        for values in headers {
            var fields = HTTPFields()
            for value in values { fields.append(HTTPField(name: .cookie, value: value)) }
            let request = Request(head: HTTPRequest(method: .get, scheme: "http", authority: "shop", path: "/", headerFields: fields),
                                  body: RequestBody(buffer: ByteBuffer()))
            for name in ["agora_session", "agora_country", "a", "missing"] {
                #expect(request.cookieValue(name) == request.cookies[name]?.value, "\(values) \(name)")
            }
        }
    }

    /// `HTTPFields.value` gives what the subscript gives: one value, the joined values, or none.
    @Test func headerValueAgreesWithTheSubscript() {
        let lists: [[(HTTPField.Name, String)]] = [
            [], [(.origin, "http://a")], [(.contentType, "application/json"), (.origin, "http://a")],
            [(.origin, "http://a"), (.origin, "http://b")], [(.contentLength, "1"), (.accept, "x"), (.contentLength, "2")],
            [(.cookie, "a=1"), (.cookie, "b=2")], [(.origin, "")],
        ]
        for list in lists {
            var fields = HTTPFields()
            for (name, value) in list { fields.append(HTTPField(name: name, value: value)) }
            for name in [HTTPField.Name.origin, .contentType, .contentLength, .cookie, .transferEncoding] {
                #expect(fields.value(name) == fields[name], "\(list) \(name)")
            }
        }
    }

    @Test func aSessionIsCreatedOnlyWhenACartLineIsWritten() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            let browser = Browser(port: port)
            for path in ["/", "/products/sencha/", "/cart/", "/api/cart", "/api/products/GT-1", "/orders/checkout/"] {
                let reply = try await browser.get(path)
                #expect(reply.setCookies.isEmpty, "\(path) set a cookie")
            }
            #expect(try await browser.json("POST", "/api/cart/items", ["sku": "nope", "quantity": 1]).setCookies.isEmpty)
            #expect(try await browser.json("POST", "/api/cart/items", ["sku": "GT-1", "quantity": 99]).setCookies.isEmpty)
            #expect(try await shop.store.sessions.count() == 0)

            let added = try await browser.json("POST", "/api/cart/items", ["sku": "GT-1", "quantity": 1])
            let cookie = try #require(added.setCookies.first)
            #expect(cookie.hasPrefix("agora_session="))
            for flag in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=1209600"] { #expect(cookie.contains(flag), "missing \(flag)") }
            #expect(!cookie.contains("Secure"))
            #expect(try await shop.store.sessions.count() == 1)

            // The database keeps only the hash of the cookie value.
            let secret = try #require(browser.cookie)
            #expect(secret.count >= 22)  // ≥ 128 bits in base64url
            let stored = try await shop.store.database.pool.read { db in try String.fetchAll(db, sql: "SELECT id_hash FROM sessions") }
            #expect(stored == [Tokens.hash(secret)])
            #expect(!stored.contains(secret))
            // Later requests reuse the session without a new cookie.
            #expect(try await browser.get("/api/cart").setCookies.isEmpty)
            #expect(try await browser.get("/api/cart").json["count"] as? Int == 1)
        }
    }

    @Test func expiredSessionsAreForgottenAndLiveOnesRefreshed() async throws {
        let clock = TestClock(1_800_000_000)
        let shop = try TestShop(clock: clock)
        try await shop.run { port in
            let browser = Browser(port: port)
            try await browser.json("POST", "/api/cart/items", ["sku": "GT-1", "quantity": 2])
            clock.advance(by: 3 * 86_400)
            let refreshed = try await browser.get("/api/cart")
            #expect(refreshed.json["count"] as? Int == 2)
            #expect(refreshed.setCookies.first?.contains("Max-Age=1209600") == true)  // extended and sent again
            clock.advance(by: 15 * 86_400)
            #expect(try await browser.get("/api/cart").json["count"] as? Int == 0)
        }
    }

    /// `--session-days 1` and the server's own housekeeping (SPEC §6.1): the cookie lives a day,
    /// expired sessions and their carts are purged when the server starts and then periodically.
    @Test func theServerPurgesExpiredSessionsAtStartAndThenPeriodically() async throws {
        let clock = TestClock(1_800_000_000)
        let shop = try TestShop(clock: clock, sessionRules: SessionRules(days: 1))
        let (_, stale) = try await shop.store.sessions.create(accountID: nil)
        let gyokuro = CatalogItem(sku: "GT-2", name: "Gyokuro", price: Money(minorUnits: 3000), stock: 5, available: true)
        _ = try await shop.store.carts.add(gyokuro, quantity: 1, replace: false, to: stale.cartOwner)
        clock.advance(by: 86_400)
        #expect(try await shop.store.housekeeping.due() == ExpiredRows(sessions: 1, cartLines: 1))

        let server = try shop.server { $0.housekeepingInterval = .milliseconds(50) }
        try await shop.run(server) { port in
            try await Self.waitUntil { try await shop.store.housekeeping.due() == ExpiredRows() }
            #expect(try await shop.store.sessions.count() == 0)

            let browser = Browser(port: port)
            let added = try await browser.json("POST", "/api/cart/items", ["sku": "GT-1", "quantity": 1])
            #expect(added.setCookies.first?.contains("Max-Age=86400") == true)
            #expect(try await shop.store.sessions.count() == 1)
            clock.advance(by: 86_400)
            try await Self.waitUntil { try await shop.store.sessions.count() == 0 }
            #expect(try await shop.store.housekeeping.due() == ExpiredRows())
            #expect(try await browser.get("/api/cart").json["summary"] as? String == "Your cart is empty")
        }
    }

    /// Polls until `condition` holds; gives up (and fails) after a generous 20 s.
    static func waitUntil(_ condition: () async throws -> Bool) async throws {
        for _ in 0..<400 {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the condition never held")
    }

    @Test func secureCookiesWhenAsked() throws {
        let sessions = Sessions(store: try TestShop().store.sessions, secureCookies: true, lifetime: 86_400)
        #expect(sessions.cookie("x").secure)
    }
}

@Suite struct CrossSiteTests {
    @Test func crossSiteUnsafeRequestsAreRefused() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            let client = HTTPClient(port: port)
            let form = Data("quantity=1".utf8)
            let formType = ["Content-Type": "application/x-www-form-urlencoded"]
            let crossSite = try await client.send("POST", "/cart/add/GT-1", headers: formType.merging(["Sec-Fetch-Site": "cross-site"]) { $1 }, body: form)
            #expect(crossSite.status == 403)
            #expect(crossSite.text.contains("Cross-site requests are not allowed"))
            let sameSite = try await client.send("POST", "/cart/add/GT-1", headers: formType.merging(["Sec-Fetch-Site": "same-site"]) { $1 }, body: form)
            #expect(sameSite.status == 403)
            let foreignOrigin = try await client.send("POST", "/cart/add/GT-1",
                                                      headers: formType.merging(["Origin": "https://evil.example"]) { $1 }, body: form)
            #expect(foreignOrigin.status == 403)
            let nullOrigin = try await client.send("POST", "/cart/add/GT-1", headers: formType.merging(["Origin": "null"]) { $1 }, body: form)
            #expect(nullOrigin.status == 403)
            let api = try await client.send("DELETE", "/api/cart/items/GT-1", headers: ["Sec-Fetch-Site": "cross-site"])
            #expect(api.status == 403)
            #expect((api.json["error"] as? [String: Any])?["code"] as? String == "cross_origin")
            #expect(try await shop.store.sessions.count() == 0)

            // Same origin, a matching Origin, or an old client without either header may post.
            #expect(try await client.send("POST", "/cart/add/GT-1", headers: formType.merging(["Sec-Fetch-Site": "same-origin"]) { $1 },
                                          body: form).status == 303)
            #expect(try await client.send("POST", "/cart/add/GT-1",
                                          headers: formType.merging(["Origin": "http://127.0.0.1:\(port)"]) { $1 }, body: form).status == 303)
            #expect(try await client.send("POST", "/cart/add/GT-1", headers: formType, body: form).status == 303)
            // Safe methods are never refused.
            #expect(try await client.send("GET", "/cart/", headers: ["Sec-Fetch-Site": "cross-site"]).status == 200)
        }
    }

    @Test func apiPathsAnswerUndeclaredMethodsWith405AndAllow() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            let client = HTTPClient(port: port)
            let trace = try await client.send("TRACE", "/api/cart")
            #expect(trace.status == 405)
            #expect(trace[header: "allow"] == "GET, HEAD")
            #expect((trace.json["error"] as? [String: Any])?["code"] as? String == "method_not_allowed")
            let put = try await client.send("PUT", "/api/products/GT-1", headers: ["Sec-Fetch-Site": "same-origin"])
            #expect(put.status == 405)
            #expect(put[header: "allow"] == "GET, HEAD")
            #expect(try await client.send("GET", "/api/follow").status == 405)
            #expect(try await client.send("GET", "/api/nothing-here").status == 404)
            let malformed = try await client.send("DELETE", "/api/cart/items/%C2%84", headers: ["Sec-Fetch-Site": "same-origin"])
            #expect(malformed.status == 400)
        }
    }

    @Test func jsonEndpointsInsistOnJSONAndBodiesAreCapped() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            let browser = Browser(port: port)
            let plain = try await browser.send("POST", "/api/cart/items", headers: ["Content-Type": "text/plain"],
                                               body: Data(#"{"sku":"GT-1","quantity":1}"#.utf8))
            #expect(plain.status == 415)
            let form = try await browser.send("POST", "/api/orders", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                              body: Data("a=b".utf8))
            #expect(form.status == 415)
            let big = Data(repeating: UInt8(ascii: "a"), count: 64 * 1024 + 1)
            let tooLarge = try await browser.send("POST", "/api/cart/items", headers: ["Content-Type": "application/json"], body: big)
            #expect(tooLarge.status == 413)
            #expect((tooLarge.json["error"] as? [String: Any])?["code"] as? String == "body_too_large")
            let bigForm = try await browser.send("POST", "/orders/checkout/", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                                 body: big)
            #expect(bigForm.status == 413)
            let malformed = try await browser.send("POST", "/api/cart/items", headers: ["Content-Type": "application/json"],
                                                   body: Data("{not json".utf8))
            #expect(malformed.status == 400)
            #expect((malformed.json["error"] as? [String: Any])?["code"] as? String == "bad_request")
        }
    }
}

/// A clock tests move by hand.
final class TestClock: StoreClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Int64

    init(_ start: Int64) {
        current = start
    }

    func now() -> Int64 {
        lock.lock()
        defer { lock.unlock() }
        return current
    }

    func advance(by seconds: Int64) {
        lock.lock()
        current += seconds
        lock.unlock()
    }
}
