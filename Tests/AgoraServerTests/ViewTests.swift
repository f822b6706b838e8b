import AgoraStore
import AgoraTestSupport
import Foundation
import Testing

@Suite struct ViewTests {
    @Test func beaconsCountAndReturnTheNewTotalWithoutASession() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            let browser = Browser(port: port)
            for expected in 1...3 {
                let reply = try await browser.send("POST", "/api/views/product/GT-1")
                #expect(reply.status == 200)
                #expect(reply.json["views"] as? Int == expected)
                #expect(reply.setCookies.isEmpty)
            }
            #expect(try await browser.send("POST", "/api/views/person/ana").json["views"] as? Int == 1)
            #expect(try await shop.store.sessions.count() == 0)
            #expect(try await browser.get("/api/products/GT-1").json["views"] as? Int == 3)

            for path in ["/api/views/product/NOPE", "/api/views/product/GT-9", "/api/views/person/nobody"] {
                #expect(try await browser.send("POST", path).status == 404, "\(path)")
            }
            #expect(try await browser.send("POST", "/api/views/product/GT-1", headers: ["Sec-Fetch-Site": "cross-site"]).status == 403)
        }
    }

    @Test func concurrentIncrementsGetDistinctTotalsAndShareCommits() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            let client = HTTPClient(port: port)
            let totals = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<200 {
                    group.addTask { try await client.send("POST", "/api/views/product/GT-2").json["views"] as? Int ?? -1 }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(totals.sorted() == Array(1...200))  // every caller saw its own increment, like INCR
            #expect(try await shop.store.counters.counts(.product, "GT-2").views == 200)
        }
    }

    @Test func rankingsListTheMostViewed() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            let client = HTTPClient(port: port)
            for _ in 0..<3 { _ = try await client.send("POST", "/api/views/product/GT-2") }
            _ = try await client.send("POST", "/api/views/product/GT-1")
            let ranking = try #require(try await client.send("GET", "/api/ranking?kind=product&by=views&limit=10").jsonValue as? [[String: Any]])
            #expect(ranking.map { $0["sku"] as? String } == ["GT-2", "GT-1"])
            #expect(ranking.first?["name"] as? String == "Gyokuro")
            #expect(ranking.first?["url"] as? String == "/products/gyokuro/")
            #expect(ranking.first?["views"] as? Int == 3)
            #expect(ranking.first?["likes"] as? Int == 0)
            let one = try #require(try await client.send("GET", "/api/ranking?limit=1").jsonValue as? [[String: Any]])
            #expect(one.count == 1)
            for bad in ["limit=0", "limit=101", "limit=x", "kind=shop", "by=price"] {
                #expect(try await client.send("GET", "/api/ranking?\(bad)").status == 400, "\(bad)")
            }
            _ = try await client.send("POST", "/api/views/person/ana")
            let people = try #require(try await client.send("GET", "/api/ranking?kind=person").jsonValue as? [[String: Any]])
            #expect(people.first?["username"] as? String == "ana")

            let page = try await client.send("GET", "/ranking/")
            #expect(page.status == 200)
            #expect(page.text.contains("Most viewed"))
            #expect(page.text.contains(#"<a class="ranking-name" href="/products/gyokuro/">Gyokuro</a>"#))
            #expect(page.text.contains("3 views"))
            let gyokuro = try #require(page.text.range(of: "Gyokuro"))
            let sencha = try #require(page.text.range(of: "Sencha</a>"))
            #expect(gyokuro.lowerBound < sencha.lowerBound)
        }
    }
}
