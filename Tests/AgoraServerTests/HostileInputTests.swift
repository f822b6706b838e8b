@testable import AgoraServer
import AgoraContent
import AgoraStore
import AgoraTheme
import AgoraTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Nothing a client sends can stop the server or make it answer 5xx (SPEC §6.11, §8).
@Suite struct HostileInputTests {
    /// Every date a client could put in a conditional header that is not a real past moment.
    static let absurdDates = [
        "Sun, 06 Nov 99999999999 08:49:37 GMT", "Sun, 06 Nov -99999999999 08:49:37 GMT", "Sun, 06 Nov 0000 08:49:37 GMT",
        "Sun, 99999999999999999999 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 99999999999:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:-9223372036854775808 GMT", "Sun, 31 Feb 2024 08:49:37 GMT", "Sun, 06 Nov 1994 25:00:00 GMT",
        "Sun, 06 Nov 9999 23:59:59 GMT", "Sun,  6 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49 GMT", "", "GMT",
    ]

    @Test func absurdConditionalDatesAreIgnored() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            let client = HTTPClient(port: port)
            for date in Self.absurdDates {
                for path in ["/robots.txt", "/products/sencha/", "/missing"] {
                    let reply = try await client.send("GET", path, headers: ["If-Modified-Since": date])
                    #expect(reply.status == 200 || reply.status == 404, "\(date) on \(path)")
                }
            }
            let page = try await client.send("GET", "/robots.txt")
            let modified = try #require(page[header: "last-modified"])
            #expect(try await client.send("GET", "/robots.txt", headers: ["If-Modified-Since": modified]).status == 304)
            #expect(try await client.send("GET", "/healthz").status == 200)
        }
    }

    @Test func httpDatesAreRangeCheckedBeforeAnyArithmetic() {
        for date in Self.absurdDates.dropLast(4) where !date.contains("9999 23:59:59") {
            #expect(HTTPDate.parse(date) == nil, "\(date)")
        }
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT") == Date(timeIntervalSince1970: 784_111_777))
        #expect(HTTPDate.parse("Thu, 29 Feb 2024 00:00:00 GMT") != nil)
        #expect(HTTPDate.parse("Fri, 31 Dec 9999 23:59:59 GMT") != nil)  // real, but in the future: ignored by the caller
    }

    @Test func numbersInUrlsAreRangeChecked() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            let admin = try await shop.admin(port: port)
            for page in ["400000000000000000", "9223372036854775807", "-9223372036854775808", "0", "-1", "1e9", "abc"] {
                let reply = try await admin.get("/admin/orders/?page=\(page)")
                #expect(reply.status == 400, "page=\(page)")
                #expect(reply.text.contains("page must be a whole number"))
            }
            #expect(try await admin.get("/admin/orders/?page=1000000").status == 200)
            #expect(try await admin.get("/admin/orders/?page=2&status=paid").status == 200)
            #expect(try await admin.get("/admin/outbox/99999999999999999999999/retry").status == 404)
            let client = HTTPClient(port: port)
            for query in ["limit=99999999999999999999", "limit=-9223372036854775808", "limit=0"] {
                #expect(try await client.send("GET", "/api/ranking?kind=product&by=views&\(query)").status == 400)
            }
            #expect(try await client.send("GET", "/healthz").status == 200)
        }
    }

    @Test func headWorksWhereverGetDoes() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            let client = HTTPClient(port: port)
            for path in ["/healthz", "/api/cart", "/api/products/GT-1", "/cart/", "/account/login/", "/ranking/", "/api/openapi.yaml",
                         "/people/ana/activity.atom", "/products/sencha/"] {
                let get = try await client.send("GET", path)
                let head = try await client.send("HEAD", path)
                #expect(get.status == 200, "GET \(path)")
                #expect(head.status == 200, "HEAD \(path)")
                #expect(head.body.isEmpty)
                #expect(head[header: "content-type"] == get[header: "content-type"])
            }
        }
    }

    @Test func aDoubleSlashNeverRedirectsToAnotherHost() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            let client = HTTPClient(port: port)
            for path in ["//catalog", "///catalog", "//catalog?x=1"] {
                let reply = try await client.send("GET", path)
                #expect(reply.status == 301)
                let location = try #require(reply[header: "location"])
                #expect(location.hasPrefix("/catalog/"), "\(path) → \(location)")
                #expect(!location.hasPrefix("//"))
            }
        }
    }

    @Test func metricsAnswerOnlyThisMachineUnlessPublic() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            let client = HTTPClient(port: port)
            #expect(try await client.send("GET", "/metrics").status == 200)
            // Through a proxy (nginx on this machine), the client is somebody else.
            let proxied = try await client.send("GET", "/metrics", headers: ["X-Forwarded-For": "203.0.113.5"])
            #expect(proxied.status == 403)
            #expect(try await client.send("GET", "/metrics", headers: ["Forwarded": "for=203.0.113.5"]).status == 403)
        }
        var configuration = try shop.server.configuration
        configuration.metricsPublic = true
        let open = ShopServer(configuration: configuration, store: shop.store, catalog: shop.catalog,
                              theme: try Theme(directory: shop.root.appendingPathComponent("themes/default")))
        try await shop.run(open) { port in
            let proxied = try await HTTPClient(port: port).send("GET", "/metrics", headers: ["X-Forwarded-For": "203.0.113.5"])
            #expect(proxied.status == 200)
        }
    }

    @Test func anOversizedChunkedBodyIsBodyTooLarge() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            let payload = Data(repeating: UInt8(ascii: "a"), count: 70_000)
            var request = Data("""
                POST /api/cart/items HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: application/json\r\n\
                Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n\(String(payload.count, radix: 16))\r\n
                """.utf8)
            request.append(payload)
            request.append(Data("\r\n0\r\n\r\n".utf8))
            let reply = try await HTTPClient(port: port).sendRaw(request)
            #expect(reply.status == 413)
            #expect((reply.json["error"] as? [String: Any])?["code"] as? String == "body_too_large")
        }
    }

    @Test func aClientThatLeavesMidBodyIsNotAServerError() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            for path in ["/api/cart/items", "/account/login/", "/api/orders"] {
                let socket = try HTTPClient.connect(host: "127.0.0.1", port: port, timeout: 5)
                let head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{\"sku\""
                try HTTPClient.writeAll(socket, Data(head.utf8))
                try await Task.sleep(for: .milliseconds(100))
                close(socket)
            }
            // The server notices the hang-ups in its own time: a loaded machine may take a while.
            var metrics = ""
            for _ in 0..<100 {
                metrics = try await HTTPClient(port: port).send("GET", "/metrics").text
                let counted = metrics.split(separator: "\n").filter { $0.hasPrefix("agora_http_requests_total") && $0.contains("status=\"499\"") }
                if counted.count == 3 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(!metrics.contains("status=\"500\""), "\(metrics)")
            #expect(metrics.contains("status=\"499\""))
            #expect(try await HTTPClient(port: port).send("GET", "/healthz").status == 200)
        }
    }

    @Test func checkoutTakesOnlyEmailsTheMailerCanSend() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            let browser = Browser(port: port)
            try await browser.json("POST", "/api/cart/items", ["sku": "GT-1", "quantity": 1])
            for email in ["a;b@example.com", "a b@example.com", "\"a\"@example.com", "a@example..com", "ä@example.com", "a@[127.0.0.1]",
                          "a(b)@example.com", "a:b@example.com"] {
                var customer = TestShop.customer
                customer["email"] = email
                let reply = try await browser.json("POST", "/api/orders", customer)
                #expect(reply.status == 422, "\(email)")
                #expect((reply.json["error"] as? [String: Any])?["field"] as? String == "email")
                #expect(!Identifier.isEmail(email))
            }
            #expect(try await browser.json("POST", "/api/orders", TestShop.customer).status == 201)
        }
    }

    @Test func namesRefuseControlAndDirectionCharactersAndCountBytes() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            let browser = Browser(port: port)
            for name in ["Eve\u{202E}gnp.exe", "Eve\u{2066}x", "Eve\u{0007}", String(repeating: "e\u{301}\u{302}\u{303}", count: 90)] {
                let reply = try await browser.form("/account/register/", ["username": "eve", "email": "eve@example.com",
                                                                           "name": name, "password": "12345678"])
                #expect(reply.status == 422, "\(name.unicodeScalars.map { String($0.value, radix: 16) })")
            }
            #expect(try await browser.form("/account/register/", ["username": "eve", "email": "eve@example.com", "name": "Ève Ōkafor",
                                                                   "password": "12345678"]).status == 303)
            try await browser.json("POST", "/api/cart/items", ["sku": "GT-1", "quantity": 1])
            var customer = TestShop.customer
            customer["city"] = "Porto\u{202E}"
            let reply = try await browser.json("POST", "/api/orders", customer)
            #expect(reply.status == 422)
            #expect((reply.json["error"] as? [String: Any])?["field"] as? String == "city")
        }
    }
}
