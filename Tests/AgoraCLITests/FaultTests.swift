import AgoraPostgres
import AgoraStore
import AgoraTestSupport
import Foundation
import Testing

/// Three `agora serve` processes on one PostgreSQL database behind haproxy, under a mixed load;
/// one of them is killed with SIGKILL mid-run (SPEC §11). Nothing answered may be lost.
@Suite(.serialized) struct FaultTests {
    typealias ServerProcess = ServeCommandTests.ServerProcess

    /// What the load was told had happened.
    final class Answers: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var orders: Set<String> = []
        private(set) var follows: Set<[String]> = []
        private(set) var likes: Set<[String]> = []
        private(set) var cartLines: [(browser: Browser, sku: String)] = []
        private(set) var afterKill = 0
        private(set) var viewsAnswered = 0
        private(set) var viewsSent = 0
        var killed = false
        func record(_ body: (Answers) -> Void) {
            lock.withLock {
                body(self)
                if killed { afterKill += 1 }
            }
        }
        func withLock<T>(_ body: (Answers) -> T) -> T { lock.withLock { body(self) } }
        func order(_ number: String) { orders.insert(number) }
        func follow(_ fan: String, _ person: String) { follows.insert([fan, person]) }
        func like(_ fan: String, _ sku: String) { likes.insert([fan, sku]) }
        func cartLine(_ browser: Browser, _ sku: String) { cartLines.append((browser, sku)) }
        func viewSent() { viewsSent += 1 }
        func viewAnswered() { viewsAnswered += 1 }
    }

    @Test func aServerKilledUnderLoadLosesNothingAnswered() async throws {
        let (site, url, servers) = try MultiServerTests().threeServers(environment: ["AGORA_MAIL_LEASE": "2"])
        let balancer = try Balancer(servers: servers.map(\.port))
        let people = ["mira", "jonah", "priya", "aiko"]
        let skus = ["CE-001", "TC-001", "TC-005", "TC-008"]

        // Twelve shoppers with accounts, registered through the balancer.
        var fans: [(name: String, browser: Browser)] = []
        for index in 0..<12 {
            let browser = Browser(port: balancer.port)
            let reply = try await browser.form("/account/register/", ["username": "fan\(index)", "email": "fan\(index)@example.com",
                                                                      "name": "Fan \(index)", "password": "correct horse \(index)"])
            #expect(reply.status == 303)
            fans.append(("fan\(index)", browser))
        }

        let answers = Answers()
        let stop = Locked(false)
        let load = Task {
            await withTaskGroup(of: Void.self) { group in
                for (index, fan) in fans.enumerated() {
                    group.addTask {
                        var step = 0
                        while !stop.withLock({ $0 }) {
                            step += 1
                            let sku = skus[(index + step) % skus.count]
                            switch step % 5 {
                            case 0:
                                let person = people[(index + step) % people.count]
                                if (try? await fan.browser.json("POST", "/api/follow", ["username": person, "action": "follow"]))?.status == 200 {
                                    answers.record { $0.follow(fan.name, person) }
                                }
                            case 1:
                                if (try? await fan.browser.json("POST", "/api/likes", ["sku": sku, "action": "like"]))?.status == 200 {
                                    answers.record { $0.like(fan.name, sku) }
                                }
                            case 2:
                                answers.withLock { $0.viewSent() }
                                if (try? await HTTPClient(port: balancer.port).send("POST", "/api/views/product/\(sku)"))?.status == 200 {
                                    answers.record { $0.viewAnswered() }
                                }
                            case 3 where index % 2 == 0:
                                // Half the shoppers check out what they added; the others keep their lines.
                                let reply = try? await fan.browser.json("POST", "/api/orders", ServeCommandTests.customer,
                                                                        headers: ["Idempotency-Key": "\(fan.name)-\(step)"])
                                if reply?.status == 201 || reply?.status == 200, let number = reply?.json["number"] as? String {
                                    answers.record { $0.order(number) }
                                }
                            default:
                                if index % 2 == 0 {
                                    _ = try? await fan.browser.json("POST", "/api/cart/items", ["sku": sku, "quantity": 1])
                                } else {
                                    // A new visitor each time, whose one line must survive.
                                    let visitor = Browser(port: balancer.port)
                                    if (try? await visitor.json("POST", "/api/cart/items", ["sku": sku, "quantity": 1]))?.status == 200 {
                                        answers.record { $0.cartLine(visitor, sku) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        // The kill comes once every kind of write has been answered at least a few times.
        for _ in 0..<600 where answers.withLock({ $0.orders.count < 3 || $0.follows.count < 3 || $0.likes.count < 3 || $0.cartLines.count < 3 }) {
            try await Task.sleep(for: .milliseconds(100))
        }
        servers[1].kill(SIGKILL)
        answers.withLock { $0.killed = true }
        // The load goes on through the two others until they have answered 30 more writes.
        for _ in 0..<300 where answers.withLock({ $0.afterKill }) < 30 {
            try await Task.sleep(for: .milliseconds(100))
        }
        stop.withLock { $0 = true }
        await load.value

        #expect(answers.afterKill >= 30, "the load did not go on through the other servers")
        #expect(!answers.orders.isEmpty && !answers.follows.isEmpty && !answers.likes.isEmpty && !answers.cartLines.isEmpty)
        let store = try await PostgresStore(url: try #require(PostgresURL(url)))
        for number in answers.orders { #expect(try await store.orders.order(number: number) != nil, "answered order \(number) lost") }
        for pair in answers.follows { #expect(try await store.social.isFollowing(pair[0], pair[1]), "answered follow \(pair) lost") }
        for pair in answers.likes { #expect(try await store.social.hasLiked(pair[0], pair[1]), "answered like \(pair) lost") }
        for line in answers.cartLines {
            let cart = try await Browser(port: balancer.port).sending(cookie: line.browser.cookie).get("/api/cart").json
            let lineSkus = (cart["items"] as? [[String: Any]] ?? []).compactMap { $0["sku"] as? String }
            #expect(lineSkus.contains(line.sku), "answered cart line \(line.sku) lost")
        }
        #expect(try await store.carts.unitsSold()["CE-001", default: 0] <= 5, "CE-001 oversold")
        var views = 0
        for sku in skus { views += try await store.counters.counts(.product, sku).views }
        #expect(views >= answers.viewsAnswered, "an answered view was lost")
        #expect(views <= answers.viewsSent)
        let doctor = try CommandLineTests().agora(["doctor", "--site", site.path, "--db", url])
        #expect(doctor.status == 0, "agora doctor: \(doctor.stdout)\(doctor.stderr)")

        // Every order is mailed once: the survivors take over what the killed server had claimed.
        let placed = try await store.orders.count()
        var sent: [OutboxMessage] = []
        for _ in 0..<100 {
            sent = try await store.outbox.all(status: .sent)
            if sent.count == placed { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(sent.count == placed)
        #expect(Set(sent.map(\.orderNumber)).count == placed)
        #expect(Set(sent.map(\.orderNumber)).isSuperset(of: answers.orders))
        await store.close()
        for (index, server) in servers.enumerated() where index != 1 { server.kill(SIGTERM) }
    }
}

extension Browser {
    /// A new browser on the same port holding `cookie` as its session.
    func sending(cookie: String?) -> Browser {
        let browser = Browser(port: client.port)
        if let cookie { browser.setCookie("agora_session", cookie) }
        return browser
    }
}

/// haproxy on a free loopback port in front of the servers, round robin, with health checks
/// so that a dead server leaves the rotation; stopped when the test's value goes away.
final class Balancer: @unchecked Sendable {
    let port: Int
    private var process: ChildProcess?
    private let folder: URL

    init(servers: [Int]) throws {
        port = try HTTPClient.freePort()
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("agora-haproxy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let backends = servers.enumerated().map { "    server s\($0.offset) 127.0.0.1:\($0.element) check inter 200ms fall 1 rise 2" }
        let config = """
            global
                maxconn 2000
            defaults
                mode http
                timeout connect 1s
                timeout client 30s
                timeout server 30s
                option redispatch
                retries 3
            frontend shop
                bind 127.0.0.1:\(port)
                default_backend agora
            backend agora
                balance roundrobin
                option httpchk GET /healthz
            \(backends.joined(separator: "\n"))

            """
        let file = folder.appendingPathComponent("haproxy.cfg")
        try config.write(to: file, atomically: true, encoding: .utf8)
        process = try ChildProcess(FileManager.default.fileExists(atPath: "/usr/sbin/haproxy") ? "/usr/sbin/haproxy" : "/usr/bin/haproxy",
                                   ["-f", file.path, "-db"])
        for _ in 0..<50 {
            if (try? HTTPClient(port: port).sendBlocking("GET", "/healthz", timeout: 1))?.status == 200 { return }
            usleep(100_000)
        }
        throw HTTPClientError.malformed
    }

    deinit {
        process?.terminate()
        try? FileManager.default.removeItem(at: folder)
    }
}
