import AgoraSQLite
import AgoraStore
import AgoraTestSupport
import Foundation
import Testing

/// `agora serve` as a separate process: startup errors, signals, and what survives kill -9.
@Suite(.serialized) struct ServeCommandTests {
    /// A running `agora serve` on a free port; killed when the test ends.
    final class ServerProcess: @unchecked Sendable {
        let child: ChildProcess
        let port: Int

        init(site: URL, arguments: [String] = [], environment: [String: String] = [:]) throws {
            child = try ChildProcess(CommandLineTests.binary.path,
                                     ["serve", "--site", site.path, "--port", "0", "--stop-with-parent"] + arguments,
                                     environment: environment, output: .pipe)
            // The first line names the port: "... on http://127.0.0.1:PORT/ ...".
            let text = child.readLine() ?? ""
            guard let match = text.firstMatch(of: /127\.0\.0\.1:(\d+)\//), let port = Int(match.1) else {
                child.terminate()
                throw HTTPClientError.malformed
            }
            self.port = port
        }

        /// The exit status once it has ended.
        var terminationStatus: Int32 { child.wait() }

        func kill(_ signal: Int32) {
            child.signal(signal)
            child.wait()
        }

        deinit {
            if child.isRunning {
                child.signal(SIGKILL)
                child.wait()
            }
        }
    }

    func builtSite() throws -> URL {
        let site = FileManager.default.temporaryDirectory.appendingPathComponent("agora-serve-\(UUID().uuidString)")
        let tests = CommandLineTests()
        let initialised = try tests.agora(["init", site.path])
        #expect(initialised.status == 0, "agora init: \(initialised.stderr)")
        let built = try tests.agora(["build", "--site", site.path])
        #expect(built.status == 0, "agora build: \(built.stderr)")
        return site
    }

    static let customer = ["first_name": "Ana", "last_name": "Silva", "email": "ana@example.com", "address": "Rua 1",
                           "postal_code": "4000", "city": "Porto", "country": "PT"]  // the demo shop ships (site.yml)

    @Test func anAnsweredCheckoutSurvivesKill9() async throws {
        let site = try builtSite()
        var server = try ServerProcess(site: site)
        let browser = Browser(port: server.port)
        #expect(try await browser.json("POST", "/api/cart/items", ["sku": "CE-001", "quantity": 2]).status == 200)
        let placed = try await browser.json("POST", "/api/orders", Self.customer)
        #expect(placed.status == 201)
        let number = try #require(placed.json["number"] as? String)
        try await browser.json("POST", "/api/cart/items", ["sku": "TC-001", "quantity": 1])
        server.kill(SIGKILL)

        server = try ServerProcess(site: site)
        let again = Browser(port: server.port)
        again.setCookie("agora_session", try #require(browser.cookie))
        let thanks = try await again.get("/orders/\(number)/")
        #expect(thanks.status == 200)
        #expect(thanks.text.contains(number))
        #expect(try await again.get("/api/cart").json["count"] as? Int == 1)  // the answered cart line is there too
        server.kill(SIGTERM)
        #expect(server.terminationStatus == 0)  // SIGTERM stops gracefully

        let store = try SQLiteStore(path: site.appendingPathComponent("data/agora.sqlite").path)
        #expect(await store.isHealthy())
        #expect(try await store.orders.order(number: number)?.items.first?.quantity == 2)
    }

    @Test func answeredViewsSurviveKill9AtARandomMoment() async throws {
        let site = try builtSite()
        var server = try ServerProcess(site: site)
        let client = HTTPClient(port: server.port)
        let sent = AtomicCount()
        let answered = AtomicCount()
        let finished = DispatchGroup()
        for _ in 0..<4 {
            finished.enter()
            Thread.detachNewThread {
                defer { finished.leave() }
                for _ in 0..<100_000 {
                    sent.add()
                    guard let reply = try? client.sendBlocking("POST", "/api/views/product/CE-001", timeout: 5), reply.status == 200 else {
                        return  // the server is gone
                    }
                    answered.add()
                }
            }
        }
        try await Task.sleep(for: .milliseconds(Int.random(in: 300...900)))
        server.kill(SIGKILL)
        finished.wait()

        server = try ServerProcess(site: site)
        let views = try #require(try await HTTPClient(port: server.port).send("GET", "/api/products/CE-001").json["views"] as? Int)
        #expect(answered.value > 0)
        #expect(views >= answered.value, "an answered increment was lost")
        #expect(views <= sent.value, "more views than requests")
        server.kill(SIGTERM)
    }

    @Test func orderMailIsDeliveredAfterAKill9BeforeDelivery() async throws {
        let site = try builtSite()
        let hanging = site.appendingPathComponent("hanging-sendmail")
        try Data("#!/bin/sh\nsleep 5\nexit 75\n".utf8).write(to: hanging)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hanging.path)
        var server = try ServerProcess(site: site, arguments: ["--mail", "sendmail:\(hanging.path)"])
        let browser = Browser(port: server.port)
        try await browser.json("POST", "/api/cart/items", ["sku": "CE-001", "quantity": 1])
        let placed = try await browser.json("POST", "/api/orders", Self.customer)
        let number = try #require(placed.json["number"] as? String)
        try await Task.sleep(for: .milliseconds(300))  // the worker is now waiting on the hanging transport
        server.kill(SIGKILL)

        let store = try SQLiteStore(path: site.appendingPathComponent("data/agora.sqlite").path)
        #expect(try await store.outbox.all().map(\.status) == [.pending])
        let mailFolder = site.appendingPathComponent("mail-out")
        server = try ServerProcess(site: site, arguments: ["--mail", "file:\(mailFolder.path)"])
        var files: [String] = []
        // The message file is written before the delivery is recorded as sent: wait for both.
        for _ in 0..<100 {
            files = (try? FileManager.default.contentsOfDirectory(atPath: mailFolder.path))?.filter { $0.hasSuffix(".eml") } ?? []
            if !files.isEmpty, try await store.outbox.all().map(\.status) == [.sent] { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(files.count == 1)
        let eml = try String(contentsOf: mailFolder.appendingPathComponent(try #require(files.first)), encoding: .utf8)
        #expect(eml.contains("\r\nSubject: Order nr. \(number)\r\n"))
        #expect(eml.contains("\r\nTo: ana@example.com\r\n"))
        #expect(eml.hasPrefix("Date: "))
        #expect(eml.contains("\r\nFrom: orders@agora.example\r\n"))
        #expect(eml.contains("\r\nMessage-ID: <order-\(number).1@agora.example>\r\n"))
        #expect(eml.contains("Dear Ana,"))
        #expect(eml.contains("1 x Ash-Glazed Mug (CE-001)"))
        #expect(try await store.outbox.all().map(\.status) == [.sent])
        let listed = try CommandLineTests().agora(["outbox", "list", "--site", site.path]).stdout
        #expect(listed.contains("\(number)  ana@example.com  sent"))
        server.kill(SIGTERM)
    }

    /// SIGTERM while a message is being handed to the transport: the server stops taking
    /// requests, lets the delivery finish and records it, then exits 0.
    @Test func sigtermWaitsForADeliveryInFlight() async throws {
        let site = try builtSite()
        let slow = site.appendingPathComponent("slow-sendmail")
        let delivered = site.appendingPathComponent("delivered.eml")
        try Data("#!/bin/sh\nsleep 1\ncat > \"\(delivered.path)\"\n".utf8).write(to: slow)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: slow.path)
        let server = try ServerProcess(site: site, arguments: ["--mail", "sendmail:\(slow.path)"])
        let browser = Browser(port: server.port)
        try await browser.json("POST", "/api/cart/items", ["sku": "CE-001", "quantity": 1])
        let number = try #require(try await browser.json("POST", "/api/orders", Self.customer).json["number"] as? String)
        try await Task.sleep(for: .milliseconds(300))  // the worker is inside the slow transport now
        server.kill(SIGTERM)
        #expect(server.terminationStatus == 0)
        #expect(try String(contentsOf: delivered, encoding: .utf8).contains("Subject: Order nr. \(number)"))
        let store = try SQLiteStore(path: site.appendingPathComponent("data/agora.sqlite").path)
        #expect(try await store.outbox.all().map(\.status) == [.sent])
    }

    @Test func sighupReloadsTheManifests() async throws {
        let site = try builtSite()
        // The server would notice the build by itself; here only the signal may tell it.
        let server = try ServerProcess(site: site, arguments: ["--build-check-milliseconds", "3600000"])
        let client = HTTPClient(port: server.port)
        #expect(try await client.send("GET", "/api/products/TC-004").json["stock"] as? Int == 4)
        let stylesheetBefore = try await client.send("GET", "/cart/").text.firstMatch(of: /\/assets\/style\.[0-9a-f]+\.css/).map { String($0.0) }
        let css = site.appendingPathComponent("themes/default/assets/style.css")
        try (String(contentsOf: css, encoding: .utf8) + "\n.signalled { color: teal; }\n").write(to: css, atomically: true, encoding: .utf8)
        let file = site.appendingPathComponent("content/products/tea-coffee/matcha-ceremonial.md")
        let text = try String(contentsOf: file, encoding: .utf8).replacingOccurrences(of: "stock: 4", with: "stock: 40")
        try Data(text.utf8).write(to: file)
        #expect(try CommandLineTests().agora(["build", "--site", site.path]).status == 0)
        server.child.signal(SIGHUP)
        var stock: Int?
        for _ in 0..<50 {
            stock = try await client.send("GET", "/api/products/TC-004").json["stock"] as? Int
            if stock == 40 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(stock == 40)
        // The theme came with the manifests: the server's pages link to the new stylesheet.
        let stylesheetAfter = try await client.send("GET", "/cart/").text.firstMatch(of: /\/assets\/style\.[0-9a-f]+\.css/).map { String($0.0) }
        #expect(stylesheetBefore != nil && stylesheetAfter != nil && stylesheetBefore != stylesheetAfter)
        server.kill(SIGTERM)
    }

    /// A deploy as an owner does it: change the stylesheet, add a product, `agora build`, no signal.
    /// The server's own pages switch to the new stylesheet and the product can be bought; the old
    /// stylesheet is still served to pages browsers hold.
    @Test func aNewBuildIsPickedUpWithoutASignal() async throws {
        let site = try builtSite()
        let server = try ServerProcess(site: site, arguments: ["--build-check-milliseconds", "200"])
        let client = HTTPClient(port: server.port)
        let shopper = Browser(port: server.port)
        func stylesheet() async throws -> String? {
            let page = try await client.send("GET", "/cart/").text
            return page.firstMatch(of: /href="(\/assets\/style\.[0-9a-f]+\.css)"/).map { String($0.1) }
        }
        let old = try #require(try await stylesheet())

        let css = site.appendingPathComponent("themes/default/assets/style.css")
        try (String(contentsOf: css, encoding: .utf8) + "\n.deployed { color: teal; }\n").write(to: css, atomically: true, encoding: .utf8)
        try """
        ---
        name: "Deployed Teapot"
        sku: NW-001
        category: ceramics
        price: 41.00
        stock: 3
        ---
        Added by a deploy.
        """.write(to: site.appendingPathComponent("content/products/ceramics/deployed-teapot.md"), atomically: true, encoding: .utf8)
        #expect(try await shopper.json("POST", "/api/cart/items", ["sku": "NW-001", "quantity": 1]).status == 404)
        #expect(try CommandLineTests().agora(["build", "--site", site.path]).status == 0)

        var current = old
        for _ in 0..<100 where current == old {
            try await Task.sleep(for: .milliseconds(100))
            current = try await stylesheet() ?? old
        }
        #expect(current != old, "the server's pages still link to the old stylesheet")
        #expect(try await client.send("GET", current).status == 200)
        #expect(try await client.send("GET", current).text.contains(".deployed"))
        #expect(try await client.send("GET", old).status == 200)   // kept for pages cached before the deploy
        #expect(try await shopper.json("POST", "/api/cart/items", ["sku": "NW-001", "quantity": 1]).status == 200)
        server.kill(SIGTERM)
    }

    @Test func aMissingBuildIsAClearStartupError() throws {
        let site = FileManager.default.temporaryDirectory.appendingPathComponent("agora-empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: site, withIntermediateDirectories: true)
        let result = try CommandLineTests().agora(["serve", "--site", site.path, "--port", "0"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("agora serve: cannot start: "))
        #expect(result.stderr.contains("catalog.json is missing; run `agora build` first"))

        try FileManager.default.createDirectory(at: site.appendingPathComponent("output"), withIntermediateDirectories: true)
        try Data(#"{"products": 3}"#.utf8).write(to: site.appendingPathComponent("output/catalog.json"))
        let broken = try CommandLineTests().agora(["serve", "--site", site.path, "--port", "0"])
        #expect(broken.status == 1)
        #expect(broken.stderr.contains("catalog.json is not a valid manifest"))
    }
}

final class AtomicCount: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
