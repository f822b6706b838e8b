import AgoraSQLite
import AgoraStore
import AgoraTestSupport
import Foundation
import GRDB
import Testing

/// `agora serve` killed with SIGKILL at random moments, 20 times, under mixed writes from several
/// clients: every answered write must be there afterwards (orders, likes, follows, views, and each
/// cart as its last answer left it), the store must pass `PRAGMA integrity_check`, and every
/// answered order must get its mail.
@Suite(.serialized) struct CrashTests {
    typealias ServerProcess = ServeCommandTests.ServerProcess

    static let kills = 20
    static let clients = 4
    static let people = ["aiko", "ines", "jonah", "lena", "mira", "olga", "priya", "samir", "tomas"]

    /// What the server answered, across every run: only these writes are promised to survive.
    final class Answers: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var orders: Set<String> = []
        private(set) var likes: Set<[String]> = []
        private(set) var follows: Set<[String]> = []
        private(set) var viewsAnswered = 0
        private(set) var viewsSent = 0

        func order(_ number: String) { lock.withLock { _ = orders.insert(number) } }
        func like(_ account: String, _ sku: String) { lock.withLock { _ = likes.insert([account, sku]) } }
        func follow(_ account: String, _ person: String) { lock.withLock { _ = follows.insert([account, person]) } }
        func viewSent() { lock.withLock { viewsSent += 1 } }
        func viewAnswered() { lock.withLock { viewsAnswered += 1 } }
    }

    /// One shopper with an account: a session cookie that outlives the server's restarts.
    struct Shopper: Sendable {
        let username: String
        let cookie: String

        func post(_ client: HTTPClient, _ path: String, _ object: [String: Any], headers: [String: String] = [:]) -> HTTPReply? {
            guard let body = try? JSONSerialization.data(withJSONObject: object) else { return nil }
            var all = ["Content-Type": "application/json", "Sec-Fetch-Site": "same-origin", "Cookie": "agora_session=\(cookie)"]
            all.merge(headers) { _, new in new }
            return try? client.sendBlocking("POST", path, headers: all, body: body, timeout: 5)
        }

        func get(_ client: HTTPClient, _ path: String) -> HTTPReply? {
            try? client.sendBlocking("GET", path, headers: ["Cookie": "agora_session=\(cookie)"], timeout: 5)
        }
    }

    @Test func answeredWritesSurviveTwentyKill9sUnderMixedLoad() async throws {
        let site = try ServeCommandTests().builtSite()
        let catalog = try JSONSerialization.jsonObject(with: Data(contentsOf: site.appendingPathComponent("output/catalog.json")))
        let skus = ((catalog as? [String: Any])?["products"] as? [[String: Any]] ?? [])
            .filter { $0["available"] as? Bool == true }.compactMap { $0["sku"] as? String }
        #expect(skus.count > 10)

        // Accounts, registered once; their sessions are rows in the store like everything else.
        var server = try ServerProcess(site: site)
        var shoppers: [Shopper] = []
        for index in 0..<Self.clients {
            let browser = Browser(port: server.port)
            let reply = try await browser.form("/account/register/", ["username": "shopper\(index)", "email": "s\(index)@example.com",
                                                                      "name": "Shopper \(index)", "password": "correct horse \(index)"])
            #expect(reply.status == 303)
            shoppers.append(Shopper(username: "shopper\(index)", cookie: try #require(browser.cookie)))
        }

        let answers = Answers()
        var lastWords: [Int: CartWhenKilled] = [:]
        for round in 0..<Self.kills {
            if round > 0 {
                server = try ServerProcess(site: site)
                // Each shopper's cart is as the last answer left it, or as the one unanswered request would have.
                for (index, shopper) in shoppers.enumerated() {
                    let reply = try #require(shopper.get(HTTPClient(port: server.port), "/api/cart"))
                    let cart = Self.quantities(reply)
                    let expected = try #require(lastWords[index])
                    #expect(expected.possibleCarts.contains(cart), "\(shopper.username): cart \(cart), expected one of \(expected.possibleCarts)")
                }
            }
            let client = HTTPClient(port: server.port)
            let finished = DispatchGroup()
            let words = LastWords()
            for (index, shopper) in shoppers.enumerated() {
                finished.enter()
                Thread.detachNewThread {
                    defer { finished.leave() }
                    words.set(index, Self.drive(shopper, client: client, skus: skus, seed: round * 100 + index, answers: answers))
                }
            }
            try await Task.sleep(for: .milliseconds(Int.random(in: 150...600)))
            server.kill(SIGKILL)
            finished.wait()
            lastWords = words.all
        }

        let store = try SQLiteStore(path: site.appendingPathComponent("data/agora.sqlite").path)
        #expect(try Self.integrity(of: store) == "ok")
        #expect(!answers.orders.isEmpty && !answers.likes.isEmpty && !answers.follows.isEmpty && answers.viewsAnswered > 0)
        for number in answers.orders {
            #expect(try await store.orders.order(number: number) != nil, "answered order \(number) was lost")
        }
        let social = store.social
        for like in answers.likes { #expect(try await social.hasLiked(like[0], like[1]), "answered like \(like) was lost") }
        for follow in answers.follows { #expect(try await social.isFollowing(follow[0], follow[1]), "answered follow \(follow) was lost") }
        let views = try Self.productViews(in: store)
        #expect(views >= answers.viewsAnswered, "an answered view was lost")
        #expect(views <= answers.viewsSent)

        // A last, undisturbed run delivers whatever mail the kills interrupted: one message per order.
        server = try ServerProcess(site: site)
        let mailFolder = site.appendingPathComponent("data/mail")
        var mailed: Set<String> = []
        for _ in 0..<150 {
            mailed = Self.orderNumbers(inMail: mailFolder)
            if mailed.isSuperset(of: answers.orders) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(mailed.isSuperset(of: answers.orders), "order mail lost for \(answers.orders.subtracting(mailed))")
        server.kill(SIGTERM)
    }

    /// A shopper's cart when the server was killed: as the last answer left it, or — when the one
    /// request in flight was a cart line or a checkout — as that request would have left it.
    struct CartWhenKilled: Sendable {
        let possibleCarts: [[String: Int]]
    }

    final class LastWords: @unchecked Sendable {
        private let lock = NSLock()
        private var words: [Int: CartWhenKilled] = [:]
        func set(_ index: Int, _ value: CartWhenKilled) { lock.withLock { words[index] = value } }
        var all: [Int: CartWhenKilled] { lock.withLock { words } }
    }

    /// Mixed writes until the server goes away — a view, a like, a follow, a cart line and, every
    /// few rounds, a checkout with an idempotency key — keeping the cart as the answers describe it.
    static func drive(_ shopper: Shopper, client: HTTPClient, skus: [String], seed: Int, answers: Answers) -> CartWhenKilled {
        var step = seed
        var cart = quantities(shopper.get(client, "/api/cart"))
        while true {
            step += 1
            let sku = skus[step % skus.count]
            answers.viewSent()
            guard let view = shopper.post(client, "/api/views/product/\(sku)", [:]) else { return CartWhenKilled(possibleCarts: [cart]) }
            if view.status == 200 { answers.viewAnswered() }
            guard let like = shopper.post(client, "/api/likes", ["sku": sku, "action": "like"]) else {
                return CartWhenKilled(possibleCarts: [cart])
            }
            if like.status == 200 { answers.like(shopper.username, sku) }
            let person = people[step % people.count]
            guard let follow = shopper.post(client, "/api/follow", ["username": person, "action": "follow"]) else {
                return CartWhenKilled(possibleCarts: [cart])
            }
            if follow.status == 200 { answers.follow(shopper.username, person) }
            guard let line = shopper.post(client, "/api/cart/items", ["sku": sku, "quantity": 1]) else {
                var added = cart
                added[sku, default: 0] += 1
                return CartWhenKilled(possibleCarts: [cart, added])
            }
            if line.status == 200 { cart = quantities(line) }
            guard step % 3 == 0, line.status == 200 else { continue }
            let customer = ["first_name": "Ana", "last_name": "Silva", "email": "\(shopper.username)@example.com",
                            "address": "Rua 1", "postal_code": "4000", "city": "Porto", "country": "PT"]
            guard let order = shopper.post(client, "/api/orders", customer, headers: ["Idempotency-Key": "order-\(seed)-\(step)"]) else {
                return CartWhenKilled(possibleCarts: [cart, [:]])
            }
            if order.status == 201, let number = order.json["number"] as? String {
                answers.order(number)
                cart = [:]
            }
        }
    }

    /// A cart answer as sku → quantity.
    static func quantities(_ reply: HTTPReply?) -> [String: Int] {
        let items = reply?.json["items"] as? [[String: Any]] ?? []
        var cart: [String: Int] = [:]
        for item in items {
            if let sku = item["sku"] as? String, let quantity = item["quantity"] as? Int { cart[sku] = quantity }
        }
        return cart
    }

    static func integrity(of store: SQLiteStore) throws -> String? {
        try store.database.pool.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") }
    }

    static func productViews(in store: SQLiteStore) throws -> Int {
        try store.database.pool.read { try Int.fetchOne($0, sql: "SELECT COALESCE(SUM(views), 0) FROM counters WHERE kind = 'product'") ?? 0 }
    }

    /// Order numbers named in the subjects of the `.eml` files in `folder`.
    static func orderNumbers(inMail folder: URL) -> Set<String> {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        var numbers: Set<String> = []
        for file in files where file.hasSuffix(".eml") {
            guard let text = try? String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8),
                  let match = text.firstMatch(of: /\r\nSubject: Order nr\. ([A-Z0-9-]+)\r\n/) else { continue }
            numbers.insert(String(match.1))
        }
        return numbers
    }
}
