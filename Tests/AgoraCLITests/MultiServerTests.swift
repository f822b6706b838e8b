import AgoraPostgres
import AgoraStore
import AgoraTestSupport
import Foundation
import Testing

/// Three `agora serve` processes on one PostgreSQL database, requests spread across them: the
/// guarantees of SPEC §6 hold across processes (SPEC §11).
@Suite(.serialized) struct MultiServerTests {
    typealias ServerProcess = ServeCommandTests.ServerProcess

    /// A demo shop whose ash-glazed mug (CE-001) has 5 units, three servers on a fresh database.
    func threeServers(environment: [String: String] = [:]) throws -> (site: URL, url: String, servers: [ServerProcess]) {
        let site = FileManager.default.temporaryDirectory.appendingPathComponent("agora-multi-\(UUID().uuidString)")
        let tests = CommandLineTests()
        #expect(try tests.agora(["init", site.path]).status == 0)
        let mug = site.appendingPathComponent("content/products/ceramics/ash-glaze-mug.md")
        let text = try String(contentsOf: mug, encoding: .utf8).replacingOccurrences(of: "stock: 18", with: "stock: 5")
        try text.write(to: mug, atomically: true, encoding: .utf8)
        #expect(try tests.agora(["build", "--site", site.path]).status == 0)
        let url = try TestPostgres.cluster().makeDatabase()
        let mail = "file:" + site.appendingPathComponent("data/mail").path
        let servers = try (0..<3).map { _ in
            try ServerProcess(site: site, arguments: ["--db", url, "--mail", mail], environment: environment)
        }
        return (site, url, servers)
    }

    @Test func twentyShoppersOnThreeServersBuyFiveUnitsAndEachOrderIsMailedOnce() async throws {
        let (_, url, servers) = try threeServers()
        let shoppers = (0..<20).map { Browser(port: servers[$0 % 3].port) }
        for shopper in shoppers {
            #expect(try await shopper.json("POST", "/api/cart/items", ["sku": "CE-001", "quantity": 1]).status == 200)
        }
        // Each checks out through another server than the one that holds its first request.
        let statuses = await withTaskGroup(of: Int.self) { group in
            for (index, shopper) in shoppers.enumerated() {
                group.addTask {
                    let other = Browser(port: servers[(index + 1) % 3].port)
                    other.setCookie("agora_session", shopper.cookie ?? "")
                    return (try? await other.json("POST", "/api/orders", ServeCommandTests.customer).status) ?? 0
                }
            }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.filter { $0 == 201 }.count == 5)
        #expect(statuses.filter { $0 == 409 }.count == 15)

        let store = try await PostgresStore(url: try #require(PostgresURL(url)))
        #expect(try await store.carts.unitsSold()["CE-001"] == 5)
        // Every server runs a mail worker; each message is claimed, and sent, by one of them.
        var sent: [OutboxMessage] = []
        for _ in 0..<100 {
            sent = try await store.outbox.all(status: .sent)
            if sent.count == 5 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(sent.count == 5)
        #expect(sent.allSatisfy { $0.attempts == 1 })
        #expect(Set(sent.map(\.orderNumber)).count == 5)
        await store.close()
        for server in servers { server.kill(SIGTERM) }
    }

    @Test func oneIdempotencyKeyMakesOneOrderWhicheverServerAnswers() async throws {
        let (_, url, servers) = try threeServers()
        let shopper = Browser(port: servers[0].port)
        #expect(try await shopper.json("POST", "/api/cart/items", ["sku": "TC-001", "quantity": 2]).status == 200)
        var numbers: Set<String> = []
        for server in servers + servers {
            let client = Browser(port: server.port)
            client.setCookie("agora_session", try #require(shopper.cookie))
            let reply = try await client.json("POST", "/api/orders", ServeCommandTests.customer, headers: ["Idempotency-Key": "order-1"])
            #expect([200, 201].contains(reply.status))
            if let number = reply.json["number"] as? String { numbers.insert(number) }
        }
        #expect(numbers.count == 1)
        let store = try await PostgresStore(url: try #require(PostgresURL(url)))
        #expect(try await store.orders.count() == 1)
        await store.close()
        for server in servers { server.kill(SIGTERM) }
    }

    @Test func viewsSentToThreeServersAreAllCounted() async throws {
        let (_, url, servers) = try threeServers()
        let totals = await withTaskGroup(of: Int?.self) { group in
            for index in 0..<300 {
                group.addTask {
                    try? await HTTPClient(port: servers[index % 3].port).send("POST", "/api/views/product/CE-001").json["views"] as? Int
                }
            }
            return await group.reduce(into: [Int?]()) { $0.append($1) }
        }
        #expect(totals.compactMap { $0 }.count == 300)
        #expect(Set(totals.compactMap { $0 }).count == 300)  // every answer its own total, as INCR's
        let store = try await PostgresStore(url: try #require(PostgresURL(url)))
        #expect(try await store.counters.counts(.product, "CE-001").views == 300)
        await store.close()
        for server in servers { server.kill(SIGTERM) }
    }

    @Test func aReloadOnOneServerReachesTheOthers() async throws {
        let (site, url, servers) = try threeServers()
        let created = try CommandLineTests().agora(["users", "create", "owner", "--admin", "--site", site.path, "--db", url],
                                                   input: "owner password\n")
        #expect(created.status == 0, "\(created.stderr)")
        let mug = site.appendingPathComponent("content/products/ceramics/ash-glaze-mug.md")
        let text = try String(contentsOf: mug, encoding: .utf8).replacingOccurrences(of: "stock: 5", with: "stock: 7")
        try text.write(to: mug, atomically: true, encoding: .utf8)
        #expect(try CommandLineTests().agora(["build", "--site", site.path]).status == 0)
        for server in servers { #expect(try await Browser(port: server.port).get("/api/products/CE-001").json["stock"] as? Int == 5) }

        let owner = Browser(port: servers[0].port)
        #expect(try await owner.form("/account/login/", ["username": "owner", "password": "owner password"]).status == 303)
        #expect(try await owner.send("POST", "/admin/reload").status == 200)
        for server in servers {
            var stock: Int?
            for _ in 0..<50 {
                stock = try await Browser(port: server.port).get("/api/products/CE-001").json["stock"] as? Int
                if stock == 7 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(stock == 7, "server on port \(server.port) did not reload")
        }
        for server in servers { server.kill(SIGTERM) }
    }

    /// The same action within 60 s is recorded once, however three servers race to record it.
    @Test func anActionRacedThroughThreeServersIsRecordedOnce() async throws {
        let (_, url, servers) = try threeServers()
        let fan = Browser(port: servers[0].port)
        #expect(try await fan.form("/account/register/", ["username": "fan", "email": "fan@example.com", "name": "Fan",
                                                          "password": "correct horse"]).status == 303)
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<30 {
                group.addTask {
                    let client = Browser(port: servers[index % 3].port)
                    client.setCookie("agora_session", fan.cookie ?? "")
                    _ = try? await client.json("POST", "/api/follow", ["username": "mira", "action": index % 2 == 0 ? "follow" : "unfollow"])
                    _ = try? await client.json("POST", "/api/likes", ["sku": "CE-001", "action": index % 2 == 0 ? "like" : "unlike"])
                }
            }
        }
        let store = try await PostgresStore(url: try #require(PostgresURL(url)))
        // Someone who follows nobody sees everyone's actions.
        let verbs = try await store.feed.page(for: "observer", before: nil, limit: 50).filter { $0.actor == "fan" }.map(\.verb)
        #expect(verbs.filter { $0 == "follows" }.count == 1)
        #expect(verbs.filter { $0 == "likes" }.count == 1)
        #expect(try await store.social.countDrifts(fix: false).isEmpty)
        await store.close()
        for server in servers { server.kill(SIGTERM) }
    }

    @Test func theLoginLimitCountsFailuresOnEveryServer() async throws {
        let (site, url, servers) = try threeServers()
        let created = try CommandLineTests().agora(["users", "create", "bob", "--site", site.path, "--db", url], input: "correct horse\n")
        #expect(created.status == 0, "\(created.stderr)")
        for index in 0..<5 {
            let failed = try await Browser(port: servers[index % 3].port).form("/account/login/", ["username": "bob", "password": "wrong"])
            #expect(failed.status == 422)
        }
        for server in servers {
            let locked = try await Browser(port: server.port).form("/account/login/", ["username": "bob", "password": "correct horse"])
            #expect(locked.status == 429, "server on port \(server.port) let a sixth attempt through")
        }
        for server in servers { server.kill(SIGTERM) }
    }

    @Test func followsAndLikesAcrossServersKeepTrueCounts() async throws {
        let (site, url, servers) = try threeServers()
        var fans: [Browser] = []
        for index in 0..<9 {
            let fan = Browser(port: servers[index % 3].port)
            let registered = try await fan.form("/account/register/", ["username": "fan\(index)", "email": "fan\(index)@example.com",
                                                                       "name": "Fan \(index)", "password": "correct horse \(index)"])
            #expect(registered.status == 303)
            fans.append(fan)
        }
        await withTaskGroup(of: Void.self) { group in
            for round in 0..<4 {
                for (index, fan) in fans.enumerated() {
                    group.addTask {
                        let client = Browser(port: servers[(index + round) % 3].port)
                        client.setCookie("agora_session", fan.cookie ?? "")
                        let action = round % 2 == 0 ? "follow" : "unfollow"
                        _ = try? await client.json("POST", "/api/follow", ["username": "mira", "action": action])
                        _ = try? await client.json("POST", "/api/likes", ["sku": "CE-001", "action": round % 2 == 0 ? "like" : "unlike"])
                    }
                }
            }
        }
        // Then five of them follow for good, each through another server than the last.
        for (index, fan) in fans.prefix(5).enumerated() {
            let client = Browser(port: servers[index % 3].port)
            client.setCookie("agora_session", fan.cookie ?? "")
            #expect(try await client.json("POST", "/api/follow", ["username": "mira", "action": "follow"]).status == 200)
        }
        let doctor = try CommandLineTests().agora(["doctor", "--site", site.path, "--db", url])
        #expect(doctor.status == 0, "agora doctor: \(doctor.stdout)\(doctor.stderr)")
        let people = try await Browser(port: servers[2].port).get("/api/people/mira").json
        let store = try await PostgresStore(url: try #require(PostgresURL(url)))
        var followers = 0
        for index in 0..<9 where try await store.social.isFollowing("fan\(index)", "mira") { followers += 1 }
        #expect(followers >= 5)
        #expect(people["followers"] as? Int == followers)
        #expect(try await store.social.countDrifts(fix: false).isEmpty)
        await store.close()
        for server in servers { server.kill(SIGTERM) }
    }

    @Test func aRunningSQLiteShopMovesToPostgreSQLWithItsSessions() async throws {
        let site = try ServeCommandTests().builtSite()
        let sqlite = try ServerProcess(site: site)
        let shopper = Browser(port: sqlite.port)
        #expect(try await shopper.json("POST", "/api/cart/items", ["sku": "TC-001", "quantity": 2]).status == 200)
        let buyer = Browser(port: sqlite.port)
        #expect(try await buyer.json("POST", "/api/cart/items", ["sku": "CE-001", "quantity": 1]).status == 200)
        let order = try #require(try await buyer.json("POST", "/api/orders", ServeCommandTests.customer).json["number"] as? String)
        let fan = Browser(port: sqlite.port)
        #expect(try await fan.form("/account/register/", ["username": "fan", "email": "fan@example.com", "name": "Fan",
                                                          "password": "correct horse"]).status == 303)
        #expect(try await fan.json("POST", "/api/follow", ["username": "mira", "action": "follow"]).status == 200)
        #expect(try await HTTPClient(port: sqlite.port).send("POST", "/api/views/product/CE-001").status == 200)

        let url = try TestPostgres.cluster().makeDatabase()
        let copied = try CommandLineTests().agora(["db", "copy", "--site", site.path, "--to", url])
        #expect(copied.status == 0, "agora db copy: \(copied.stderr)")
        #expect(copied.stdout.contains("Row counts match"))
        sqlite.kill(SIGTERM)

        let postgres = try ServerProcess(site: site, arguments: ["--db", url])
        func same(_ browser: Browser) throws -> Browser {
            let moved = Browser(port: postgres.port)
            moved.setCookie("agora_session", try #require(browser.cookie))
            return moved
        }
        #expect(try await same(shopper).get("/api/cart").json["count"] as? Int == 2)
        #expect(try await same(buyer).get("/orders/\(order)/").status == 200)
        #expect(try await same(fan).get("/api/people/mira").json["is_following"] as? Bool == true)
        #expect(try await same(fan).get("/api/people/mira").json["followers"] as? Int == 1)
        #expect(try await Browser(port: postgres.port).get("/api/products/CE-001").json["views"] as? Int == 1)
        #expect(try await Browser(port: postgres.port).get("/api/products/CE-001").json["stock"] as? Int == 17)
        // New rows continue after the copied ones.
        let newcomer = Browser(port: postgres.port)
        #expect(try await newcomer.form("/account/register/", ["username": "newcomer", "email": "n@example.com", "name": "New",
                                                               "password": "correct horse"]).status == 303)
        postgres.kill(SIGTERM)

        let again = try CommandLineTests().agora(["db", "copy", "--site", site.path, "--to", url])
        #expect(again.status == 1)
        #expect(again.stderr.contains("already holds a shop's data"))
    }

    /// A database that goes down: `/healthz` and requests answer 503 with a message, the server
    /// keeps running, and it serves again by itself once the database is back.
    @Test func aDatabaseThatGoesDownAndComesBack() async throws {
        let site = try ServeCommandTests().builtSite()
        let cluster = try TestPostgres.restartableCluster()
        let server = try ServerProcess(site: site, arguments: ["--db", cluster.url])
        let shopper = Browser(port: server.port)
        #expect(try await shopper.json("POST", "/api/cart/items", ["sku": "TC-001", "quantity": 1]).status == 200)

        try cluster.stop()
        let health = try await HTTPClient(port: server.port).send("GET", "/healthz")
        #expect(health.status == 503)
        #expect(health.json["status"] as? String == "unavailable")
        let cart = try await shopper.get("/api/cart")
        #expect(cart.status == 503)
        #expect((cart.json["error"] as? [String: Any])?["code"] as? String == "database_unavailable")
        #expect(try await shopper.get("/cart/").status == 503)
        #expect(try await shopper.get("/catalog/").status == 200)  // the static site does not need the database

        try cluster.start()
        var back = 0
        for _ in 0..<100 {
            back = try await shopper.get("/api/cart").status
            if back == 200 { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(back == 200)
        #expect(try await shopper.get("/api/cart").json["count"] as? Int == 1)
        #expect(try await HTTPClient(port: server.port).send("GET", "/healthz").status == 200)
        server.kill(SIGTERM)
    }
}
