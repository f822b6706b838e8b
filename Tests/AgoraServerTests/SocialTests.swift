import AgoraStore
@testable import AgoraServer
@testable import AgoraSQLite
import AgoraTestSupport
import Foundation
import GRDB
import Testing

@Suite struct SocialTests {
    /// The shop with a second active person, and a logged-in shopper.
    static let files: [String: String] = {
        var files = TestShop.catalog
        files["people/bea.md"] = "---\nname: Bea Costa\n---\nBlends.\n"
        files["people/old.md"] = "---\nname: Old\nactive: false\n---\nRetired.\n"
        return files
    }()

    func shopper(_ port: Int, _ username: String = "bob") async throws -> Browser {
        let browser = Browser(port: port)
        let reply = try await browser.form("/account/register/", ["username": username, "email": "\(username)@example.com",
                                                                  "name": username.capitalized, "password": "12345678"])
        #expect(reply.status == 303)
        return browser
    }

    /// Your own profile (SPEC §6.10): the API says `is_self`, and the plain form answers with a page
    /// that explains, not an error.
    @Test func yourOwnProfileSaysSoAndTheFormExplains() async throws {
        let shop = try TestShop(Self.files)
        _ = try await shop.store.accountRules.create(username: "ana", email: "ana@example.com", name: "Ana Silva", password: "ana password",
                                                          linkedToProfile: true)
        try await shop.run { port in
            let ana = Browser(port: port)
            try await ana.form("/account/login/", ["username": "ana", "password": "ana password"])
            #expect(try await ana.get("/api/people/ana").json["is_self"] as? Bool == true)
            #expect(try await ana.get("/api/people/bea").json["is_self"] as? Bool == false)
            #expect(try await HTTPClient(port: port).send("GET", "/api/people/ana").json["is_self"] as? Bool == false)
            let bob = try await shopper(port)
            #expect(try await bob.get("/api/people/ana").json["is_self"] as? Bool == false)

            let form = try await ana.form("/account/follow", ["username": "ana", "action": "follow"])
            #expect(form.status == 200)
            #expect(form.text.contains("This is your own profile"))
            #expect(form.text.contains("You cannot follow yourself"))
            #expect(form.text.contains(#"href="/people/ana/""#))
            #expect(try await shop.store.social.followCounts("ana") == (0, 0))
            // The same form for someone else still follows.
            #expect(try await ana.form("/account/follow", ["username": "bea", "action": "follow"]).status == 303)
            #expect(try await shop.store.social.followCounts("bea").followers == 1)
        }
    }

    @Test func followIsIdempotentAsymmetricAndChecked() async throws {
        let shop = try TestShop(Self.files)
        _ = try await shop.store.accountRules.create(username: "ana", email: "ana@example.com", name: "Ana Silva", password: "ana password",
                                                          linkedToProfile: true)
        try await shop.run { port in
            let anonymous = try await Browser(port: port).json("POST", "/api/follow", ["username": "ana", "action": "follow"])
            #expect(anonymous.status == 401)
            #expect((anonymous.json["error"] as? [String: Any])?["code"] as? String == "login_required")
            let bob = try await shopper(port)
            for _ in 0..<2 {
                let reply = try await bob.json("POST", "/api/follow", ["username": "ana", "action": "follow"])
                #expect(reply.status == 200)
                #expect(reply.json["followers"] as? Int == 1)
                #expect(reply.json["is_following"] as? Bool == true)
                #expect(reply.json["status"] as? String == "ok")
            }
            let people = try await bob.get("/api/people/ana").json
            #expect(people["followers"] as? Int == 1)
            #expect(people["following"] as? Int == 0)
            #expect(people["is_following"] as? Bool == true)
            #expect(try await HTTPClient(port: port).send("GET", "/api/people/ana").json["is_following"] as? Bool == false)
            #expect(try await shop.store.social.followCounts("bob") == (0, 1))  // following does not make ana follow bob

            #expect(try await bob.json("POST", "/api/follow", ["username": "nobody", "action": "follow"]).status == 404)
            #expect(try await bob.json("POST", "/api/follow", ["username": "old", "action": "follow"]).status == 404)
            #expect(try await bob.json("POST", "/api/follow", ["username": "ana", "action": "stalk"]).status == 400)
            #expect(try await bob.get("/api/people/old").status == 404)
            let ana = Browser(port: port)
            try await ana.form("/account/login/", ["username": "ana", "password": "ana password"])
            let selfFollow = try await ana.json("POST", "/api/follow", ["username": "ana", "action": "follow"])
            #expect(selfFollow.status == 400)
            #expect((selfFollow.json["error"] as? [String: Any])?["code"] as? String == "self_follow")

            for _ in 0..<2 {
                #expect(try await bob.json("POST", "/api/follow", ["username": "ana", "action": "unfollow"]).json["followers"] as? Int == 0)
            }
        }
    }

    @Test func countsStayTrueUnderConcurrentToggles() async throws {
        let shop = try TestShop(Self.files)
        try await shop.run { port in
            var shoppers: [Browser] = []
            for index in 0..<8 { shoppers.append(try await shopper(port, "shopper\(index)")) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, browser) in shoppers.enumerated() {
                    group.addTask {
                        for round in 0..<10 {
                            let action = round % 2 == 0 ? "follow" : "unfollow"
                            _ = try await browser.json("POST", "/api/follow", ["username": round % 3 == 0 ? "bea" : "ana", "action": action])
                            _ = try await browser.json("POST", "/api/likes", ["sku": "GT-1", "action": (round + index) % 2 == 0 ? "like" : "unlike"])
                        }
                    }
                }
                try await group.waitForAll()
            }
            let (follows, likes) = try await shop.store.database.pool.read { db in
                (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM follows WHERE followed = 'ana'") ?? -1,
                 try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM likes WHERE sku = 'GT-1'") ?? -1)
            }
            #expect(try await HTTPClient(port: port).send("GET", "/api/people/ana").json["followers"] as? Int == follows)
            #expect(try await HTTPClient(port: port).send("GET", "/api/products/GT-1").json["likes"] as? Int == likes)
            #expect(try await shop.store.social.countDrifts(fix: false).isEmpty)
        }
    }

    @Test func doctorFindsAndFixesDrift() async throws {
        let shop = try TestShop(Self.files)
        let social = shop.store.social
        _ = try await social.setFollow(follower: "bob", person: "ana", following: true)
        _ = try await social.setLike(account: "bob", sku: "GT-1", liking: true)
        try await shop.store.database.pool.write { db in
            try db.execute(sql: "UPDATE follow_counts SET followers = 7 WHERE username = 'ana'")
            try db.execute(sql: "UPDATE counters SET likes = 0 WHERE key = 'GT-1'")
        }
        let doctor = shop.store.social
        #expect(try await doctor.countDrifts(fix: false).map(\.description)
            == ["followers of ana: stored 7, actual 1", "likes of GT-1: stored 0, actual 1"])
        #expect(try await doctor.countDrifts(fix: true).count == 2)
        #expect(try await doctor.countDrifts(fix: false).isEmpty)
        #expect(try await social.followCounts("ana").followers == 1)
    }

    @Test func likesToggleAndRank() async throws {
        let shop = try TestShop(Self.files)
        try await shop.run { port in
            let bob = try await shopper(port)
            #expect(try await Browser(port: port).json("POST", "/api/likes", ["sku": "GT-1", "action": "like"]).status == 401)
            let liked = try await bob.json("POST", "/api/likes", ["sku": "GT-2", "action": "like"])
            #expect(liked.json["likes"] as? Int == 1)
            #expect(liked.json["liked"] as? Bool == true)
            #expect(try await bob.json("POST", "/api/likes", ["sku": "GT-2", "action": "like"]).json["likes"] as? Int == 1)
            #expect(try await bob.get("/api/products/GT-2").json["liked"] as? Bool == true)
            #expect(try await bob.json("POST", "/api/likes", ["sku": "NOPE", "action": "like"]).status == 404)
            let ranking = try #require(try await bob.get("/api/ranking?by=likes").jsonValue as? [[String: Any]])
            #expect(ranking.map { $0["sku"] as? String } == ["GT-2"])
            #expect(try await bob.json("POST", "/api/likes", ["sku": "GT-2", "action": "unlike"]).json["liked"] as? Bool == false)
            // The plain form: back to the page it came from, on this site only.
            let form = try await bob.send("POST", "/account/like", headers: [
                "Content-Type": "application/x-www-form-urlencoded", "Referer": "http://127.0.0.1:\(port)/products/gyokuro/?x=1",
            ], body: Data("sku=GT-2&action=like".utf8))
            #expect(form.status == 303)
            #expect(form[header: "location"] == "/products/gyokuro/?x=1")
            let foreign = try await bob.send("POST", "/account/follow", headers: [
                "Content-Type": "application/x-www-form-urlencoded", "Referer": "https://evil.example/people/ana/",
            ], body: Data("username=ana&action=follow".utf8))
            #expect(foreign[header: "location"] == "/people/ana/")
            let anonymousForm = try await Browser(port: port).form("/account/follow", ["username": "ana", "action": "follow"])
            #expect(anonymousForm[header: "location"] == "/account/login/?next=/people/ana/")
        }
    }

    @Test func theSameActionWithinAMinuteIsStoredOnce() async throws {
        let clock = TestClock(1_800_000_000)
        let shop = try TestShop(Self.files, clock: clock)
        let social = shop.store.social
        for _ in 0..<3 {
            _ = try await social.setFollow(follower: "bob", person: "ana", following: true)
            _ = try await social.setFollow(follower: "bob", person: "ana", following: false)
        }
        clock.advance(by: 59)
        _ = try await social.setFollow(follower: "bob", person: "ana", following: true)
        _ = try await social.setFollow(follower: "bob", person: "ana", following: false)
        func count() throws -> Int {
            try shop.store.database.pool.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM actions WHERE actor = 'bob' AND verb = 'follows'") ?? 0
            }
        }
        #expect(try count() == 1)
        clock.advance(by: 2)
        _ = try await social.setFollow(follower: "bob", person: "ana", following: true)
        #expect(try count() == 2)
        // Racing requests: the check and the insert share one write transaction.
        let racers = (0..<20).map { _ in Task { try await social.setFollow(follower: "bob", person: "bea", following: true) } }
        for racer in racers { _ = try await racer.value }
        let beaFollows = try await shop.store.database.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM actions WHERE verb = 'follows' AND target_key = 'bea'") ?? 0
        }
        #expect(beaFollows == 1)
    }

    /// Feed items are kept written (`FeedItemCache`); a reload of the manifests and a change of the
    /// actor's account show at once.
    @Test func feedItemsFollowRenamesAndReloads() async throws {
        let shop = try TestShop(Self.files)
        try await shop.run { port in
            let bob = try await shopper(port)
            let carol = try await shopper(port, "carol")
            _ = try await carol.json("POST", "/api/likes", ["sku": "GT-2", "action": "like"])
            func item(_ verb: String) async throws -> [String: Any] {
                let items = try #require(try await bob.get("/api/feed?limit=50").json["items"] as? [[String: Any]])
                return try #require(items.first { $0["verb"] as? String == verb })
            }
            #expect((try await item("published")["target"] as? [String: Any])?["name"] as? String == "Sencha")
            #expect((try await item("likes")["actor"] as? [String: Any])?["name"] as? String == "Carol")

            // The owner renames the product and the maker: the same actions, new names.
            var files = Self.files
            files["products/sencha.md"] = files["products/sencha.md"]?.replacingOccurrences(of: "name: Sencha", with: "name: Spring Sencha")
            files["people/ana.md"] = "---\nname: Ana Sousa\n---\nGrows tea.\n"
            try shop.rebuild(files)
            #expect(try await shop.admin(port: port).send("POST", "/admin/reload").status == 200)
            let published = try await item("published")
            #expect((published["target"] as? [String: Any])?["name"] as? String == "Spring Sencha")
            #expect((published["actor"] as? [String: Any])?["name"] as? String == "Ana Sousa")

            // Carol's account gets another name (as the database says, wherever the change came from).
            try await shop.store.database.pool.write { db in
                try db.execute(sql: "UPDATE accounts SET name = 'Carol Reed' WHERE username = 'carol'")
            }
            #expect((try await item("likes")["actor"] as? [String: Any])?["name"] as? String == "Carol Reed")
        }
    }

    @Test func feedItemCacheRendersEachItemOnceAndStartsAgainWhenFull() {
        let cache = FeedItemCache(capacity: 3)
        func item(_ id: Int64, name: String? = nil) -> FeedItem {
            FeedItem(id: id, actor: "ana", actorAccountName: name, actorIsShopper: false, verb: "likes", targetKind: "product",
                     targetKey: "GT-1", createdAt: 1_800_000_000)
        }
        var renders = 0
        func render(_ item: FeedItem) -> [UInt8] {
            renders += 1
            return Array("\(item.id)-\(item.actorAccountName ?? "")".utf8)
        }
        #expect(cache.json(for: [item(1), item(2)], catalog: 1, render: render) == [Array("1-".utf8), Array("2-".utf8)])
        #expect(cache.json(for: [item(2), item(1)], catalog: 1, render: render) == [Array("2-".utf8), Array("1-".utf8)])
        #expect(renders == 2)
        // Another version of the row, or another catalog: written again.
        #expect(cache.json(for: [item(1, name: "Ana")], catalog: 1, render: render) == [Array("1-Ana".utf8)])
        #expect(cache.json(for: [item(2)], catalog: 2, render: render) == [Array("2-".utf8)])
        #expect(renders == 4)
        // Full: it starts again rather than grow.
        _ = cache.json(for: [item(3), item(4)], catalog: 2, render: render)
        #expect(cache.count <= 3)
        #expect(cache.json(for: [item(4)], catalog: 2, render: render) == [Array("4-".utf8)])
    }

    @Test func feedRulesPaginationAndOneQueryPerPage() async throws {
        let shop = try TestShop(Self.files)
        let social = shop.store.social
        try await shop.run { port in
            // `published` by ana for GT-1 was recorded when the server started.
            let bob = try await shopper(port)
            let carol = try await shopper(port, "carol")
            _ = try await carol.json("POST", "/api/likes", ["sku": "GT-2", "action": "like"])
            // Bob follows nobody: everyone's actions but his own.
            let everyone = try #require(try await bob.get("/api/feed?limit=50").json["items"] as? [[String: Any]])
            let actors = everyone.compactMap { ($0["actor"] as? [String: Any])?["username"] as? String }
            #expect(Set(actors) == ["ana", "carol"])
            let published = try #require(everyone.first { $0["verb"] as? String == "published" })
            #expect((published["actor"] as? [String: Any])?["url"] as? String == "/people/ana/")
            #expect((published["target"] as? [String: Any])?["name"] as? String == "Sencha")
            #expect((everyone.first { $0["verb"] as? String == "likes" }?["actor"] as? [String: Any])?["url"] is NSNull)

            // Bob follows ana: only ana's actions.
            _ = try await bob.json("POST", "/api/follow", ["username": "ana", "action": "follow"])
            let followed = try #require(try await bob.get("/api/feed").json["items"] as? [[String: Any]])
            #expect(followed.allSatisfy { ($0["actor"] as? [String: Any])?["username"] as? String == "ana" })
            #expect(followed.count == 1)
            #expect(try await Browser(port: port).get("/api/feed").status == 401)
            #expect(try await bob.get("/api/feed?limit=51").status == 400)

            // Pages: no gaps, no repeats, while new actions keep arriving at the top.
            try await shop.store.database.pool.write { db in
                for index in 0..<45 {
                    try db.execute(sql: "INSERT INTO actions (actor, verb, target_kind, target_key, created_at) VALUES ('ana', 'likes', 'product', ?, ?)",
                                   arguments: ["GT-\(index % 2 + 1)", 1_800_000_000 + index])
                }
            }
            let expected = try await shop.store.feed.page(for: "bob", before: nil, limit: 50).map(\.id)
            var seen: [Int64] = []
            var cursor = ""
            repeat {
                let page = try await bob.get("/api/feed?limit=7" + (cursor.isEmpty ? "" : "&before=\(cursor)")).json
                seen += (page["items"] as? [[String: Any]] ?? []).compactMap { ($0["id"] as? NSNumber)?.int64Value }
                cursor = page["next"] as? String ?? ""
                _ = try await social.setLike(account: "ana", sku: "GT-\(seen.count % 2 + 1)", liking: seen.count % 4 < 2)  // newer actions
            } while !cursor.isEmpty
            #expect(seen == expected)
            #expect(Set(seen).count == seen.count)

            // One statement per page for a reader who follows someone; one who follows nobody has an
            // empty timeline, and two more: whether they follow anyone, then everyone's actions.
            func statements(_ viewer: String) async throws -> Int {
                try await shop.store.database.pool.read { db -> Int in
                    let counter = StatementCounter()
                    db.trace { if case .statement = $0 { counter.add() } }
                    _ = try SQLiteFeed.page(for: viewer, before: nil, limit: 10, db)
                    db.trace(options: [], nil)
                    return counter.value
                }
            }
            #expect(try await statements("bob") == 1)
            #expect(try await statements("carol") == 3)
            let plan = try SQLiteFeed(shop.store.database).plan(for: "bob")
            #expect(!plan.contains("TEMP B-TREE"), "\(plan)")  // rows come out of the timeline's key in order
            #expect(plan.contains("SEARCH t USING PRIMARY KEY (viewer=? AND action_id<?)"), "\(plan)")
        }
    }

    @Test func dashboardAndActivityFeed() async throws {
        let shop = try TestShop(Self.files)
        try await shop.run { port in
            let bob = try await shopper(port)
            _ = try await bob.json("POST", "/api/follow", ["username": "ana", "action": "follow"])
            let dashboard = try await bob.get("/account/").text
            #expect(dashboard.contains("What's happening"))
            #expect(dashboard.contains(#"<a href="/people/ana/">Ana Silva</a> published <a href="/products/sencha/">Sencha</a>"#))
            #expect(dashboard.contains("just now"))
            #expect(dashboard.contains(#"<ul class="follows"><li><a href="/people/ana/">Ana Silva</a></li></ul>"#))
            let atom = try await HTTPClient(port: port).send("GET", "/people/ana/activity.atom")
            #expect(atom.status == 200)
            #expect(atom[header: "content-type"] == "application/atom+xml; charset=utf-8")
            #expect(atom.text.contains("<title>Ana Silva published Sencha</title>"))
            #expect(AtomValidator.problems(atom.text).isEmpty, "\(AtomValidator.problems(atom.text))")
            #expect(try await HTTPClient(port: port).send("GET", "/people/old/activity.atom").status == 404)
        }
    }
}

final class StatementCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
