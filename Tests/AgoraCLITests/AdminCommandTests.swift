import AgoraContent
import AgoraSQLite
import AgoraStore
import AgoraTestSupport
import Foundation
import Testing

/// `agora users …` and `agora orders …` on the store of a running server.
@Suite(.serialized) struct AdminCommandTests {
    let cli = CommandLineTests()

    @Test func usersAreCreatedListedAndPromoted() async throws {
        let site = try ServeCommandTests().builtSite()
        let created = try cli.agora(["users", "create", "mira", "--email", "mira@example.com", "--name", "Mira Okafor", "--site", site.path],
                                    input: "glaze notebook\n")
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout == "Created mira.\n")
        #expect(try cli.agora(["users", "create", "root", "--email", "root@example.com", "--admin", "--site", site.path],
                              input: "super secret\n").stdout == "Created root (admin).\n")
        #expect(try cli.agora(["users", "create", "MIRA", "--email", "x@example.com", "--site", site.path], input: "whatever12\n")
            .stderr.contains("username mira is taken"))
        #expect(try cli.agora(["users", "create", "nopass", "--email", "x@example.com", "--site", site.path]).status == 1)
        #expect(try cli.agora(["users", "create", "shorty", "--email", "x@example.com", "--site", site.path], input: "short\n")
            .stderr.contains("password: Use 8 to 128 characters"))
        let list = try cli.agora(["users", "list", "--site", site.path]).stdout
        #expect(list.contains("mira      Mira Okafor  mira@example.com"))
        #expect(list.contains("root      root         root@example.com  yes"))
        #expect(try cli.agora(["users", "set-admin", "mira", "--site", site.path]).stdout == "mira is now an admin.\n")
        #expect(try cli.agora(["users", "set-admin", "root", "--off", "--site", site.path]).status == 0)
        #expect(try cli.agora(["users", "set-admin", "nobody", "--site", site.path]).status == 1)
        let store = try SQLiteStore(path: site.appendingPathComponent("data/agora.sqlite").path)
        #expect(try await store.accounts.account(username: "mira")?.isAdmin == true)
        #expect(try await store.accounts.account(username: "root")?.isAdmin == false)
        #expect(try await store.accountRules.authenticate(username: "mira", password: "glaze notebook").name == "Mira Okafor")
    }

    @Test func ordersAreManagedWhileTheServerRuns() async throws {
        let site = try ServeCommandTests().builtSite()
        let server = try ServeCommandTests.ServerProcess(site: site)
        let shopper = Browser(port: server.port)
        try await shopper.json("POST", "/api/cart/items", ["sku": "TC-004", "quantity": 3])
        let number = try #require(try await shopper.json("POST", "/api/orders", ServeCommandTests.customer).json["number"] as? String)
        let client = HTTPClient(port: server.port)
        #expect(try await client.send("GET", "/api/products/TC-004").json["stock"] as? Int == 1)

        let list = try cli.agora(["orders", "list", "--site", site.path])
        #expect(list.stdout.contains(number))
        #expect(list.stdout.contains("pending"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(cli.agora(["orders", "list", "--json", "--site", site.path]).stdout.utf8))
            as? [[String: Any]])
        #expect(json.first?["number"] as? String == number)
        #expect(try cli.agora(["orders", "show", number.lowercased(), "--site", site.path]).stdout.contains("TC-004  Ceremonial Matcha, 30 g  3"))
        #expect(try cli.agora(["orders", "mark-paid", number, "--site", site.path]).stdout == "Order \(number) is paid.\n")
        #expect(try cli.agora(["orders", "list", "--status", "paid", "--site", site.path]).stdout.contains(number))
        #expect(!(try cli.agora(["orders", "list", "--status", "pending", "--site", site.path]).stdout.contains(number)))
        #expect(try cli.agora(["orders", "mark-paid", number, "--site", site.path]).stderr.contains("is paid and cannot become paid"))
        #expect(try cli.agora(["orders", "cancel", number, "--site", site.path]).status == 0)
        #expect(try await client.send("GET", "/api/products/TC-004").json["stock"] as? Int == 4)  // the server sees it at once
        let csv = try cli.agora(["orders", "export", "--csv", "--site", site.path]).stdout
        #expect(csv.hasPrefix("number,status,created,"))
        #expect(csv.contains("\(number),cancelled,"))
        #expect(try cli.agora(["orders", "show", "ZZZZ-ZZZZ", "--site", site.path]).status == 1)
        // The confirmation went to the default file outbox; nothing is left to retry.
        #expect(try cli.agora(["outbox", "list", "--status", "sent", "--site", site.path]).stdout.contains(number))
        #expect(try cli.agora(["outbox", "retry", "--site", site.path]).stdout == "0 messages queued again.\n")
        server.kill(SIGTERM)
    }

    /// `agora orders ship|deliver|refund` (SPEC §6.9), while the server runs: it sends the
    /// shipping mail from the outbox, and the customer's order page shows each step.
    @Test func ordersAreShippedDeliveredAndRefundedFromTheCommandLine() async throws {
        let site = try ServeCommandTests().builtSite()
        let server = try ServeCommandTests.ServerProcess(site: site)
        let shopper = Browser(port: server.port)
        try await shopper.json("POST", "/api/cart/items", ["sku": "TC-004", "quantity": 1])
        let number = try #require(try await shopper.json("POST", "/api/orders", ServeCommandTests.customer).json["number"] as? String)
        let ship = ["orders", "ship", number, "--carrier", "CTT", "--tracking", "RR123PT", "--site", site.path]
        #expect(try cli.agora(ship).stderr.contains("is pending and cannot become shipped"))
        #expect(try cli.agora(["orders", "mark-paid", number, "--site", site.path]).status == 0)
        #expect(try cli.agora(ship).stdout == "Order \(number) is shipped.\n")
        #expect(try cli.agora(["orders", "deliver", number, "--site", site.path]).stdout == "Order \(number) is delivered.\n")
        let page = try await shopper.get("/orders/\(number)/").text
        #expect(page.contains("Shipped with CTT.") && page.contains("RR123PT") && page.contains("<strong>Delivered</strong>"))
        #expect(try cli.agora(["orders", "refund", number, "--site", site.path]).stdout == "Order \(number) is refunded.\n")
        #expect(try cli.agora(["orders", "list", "--status", "refunded", "--site", site.path]).stdout.contains(number))
        // The worker of the running server sends them all: the confirmation, paid and shipped.
        var sent = 0
        for _ in 0..<50 where sent < 3 {
            sent = try cli.agora(["outbox", "list", "--status", "sent", "--site", site.path]).stdout
                .split(separator: "\n").filter { $0.contains(number) }.count
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(sent == 3)
        let mail = try FileManager.default.contentsOfDirectory(atPath: site.appendingPathComponent("data/mail").path)
            .map { try String(contentsOf: site.appendingPathComponent("data/mail/\($0)"), encoding: .utf8) }
        #expect(mail.contains { $0.contains("Subject: Order nr. \(number): On its way") && $0.contains("Follow the parcel: RR123PT") })
        server.kill(SIGTERM)
    }

    @Test func doctorReportsAndFixesDriftedCounts() async throws {
        let site = try ServeCommandTests().builtSite()
        let store = try SQLiteStore(path: site.appendingPathComponent("data/agora.sqlite").path)
        _ = try await store.social.setFollow(follower: "bob", person: "mira", following: true)
        #expect(try cli.agora(["doctor", "--site", site.path]).stdout == "Nothing is due for purging.\nDatabase is healthy; all counts match.\n")
        try await store.database.pool.write { db in try db.execute(sql: "UPDATE follow_counts SET followers = 5 WHERE username = 'mira'") }
        let report = try cli.agora(["doctor", "--site", site.path])
        #expect(report.status == 1)
        #expect(report.stdout.contains("drift: followers of mira: stored 5, actual 1"))
        let fixed = try cli.agora(["doctor", "--fix-counts", "--site", site.path])
        #expect(fixed.status == 0)
        #expect(fixed.stdout.hasSuffix("Fixed 1 count.\n"))
        #expect(try await store.social.followCounts("mira").followers == 1)
    }

    /// `agora doctor` names the rows the server will purge (SPEC §6.1) and still exits 0.
    @Test func doctorReportsWhatIsDueForPurging() async throws {
        struct MonthAgo: StoreClock { func now() -> Int64 { SystemClock().now() - 30 * 86_400 } }
        let site = try ServeCommandTests().builtSite()
        let past = try SQLiteStore(path: site.appendingPathComponent("data/agora.sqlite").path, clock: MonthAgo())
        let (_, session) = try await past.sessions.create(accountID: nil)
        let item = CatalogItem(sku: "CE-001", name: "Mug", price: Money(minorUnits: 3200), stock: 10, available: true)
        _ = try await past.carts.add(item, quantity: 2, replace: false, to: session.cartOwner)
        let report = try cli.agora(["doctor", "--site", site.path])
        #expect(report.status == 0)
        #expect(report.stdout.hasPrefix("Due for purging by the server: 1 session, 1 cart line, 0 idempotency keys.\n"))
    }

    @Test func aShopperWithAProfilesUsernameStaysAShopperUntilLinked() async throws {
        let site = try ServeCommandTests().builtSite()
        let store = try SQLiteStore(path: site.appendingPathComponent("data/agora.sqlite").path)
        // Registered on the site before the owner added people/olga.md.
        _ = try await store.accountRules.create(username: "olga", email: "olga@example.com", name: "Olga the Shopper",
                                                    password: "shopping bags")
        let report = try cli.agora(["doctor", "--site", site.path])
        #expect(report.stdout.contains("account: olga registered as a shopper and is also a profile's username; it stays a shopper"))
        #expect(report.stdout.contains("`agora users link olga`"))
        #expect(try cli.agora(["users", "link", "olga", "--site", site.path]).stdout == "olga is now linked to the profile olga.\n")
        #expect(try await store.accounts.account(username: "olga")?.isLinkedToProfile == true)
        #expect(try cli.agora(["doctor", "--site", site.path]).stdout == "Nothing is due for purging.\nDatabase is healthy; all counts match.\n")
        #expect(try cli.agora(["users", "link", "nobody", "--site", site.path]).status == 1)
        // Made by the owner: a profile's account from the start, and no email needed.
        let created = try cli.agora(["users", "create", "lena", "--site", site.path], input: "lena's password\n")
        #expect(created.status == 0, "\(created.stderr)")
        #expect(try await store.accounts.account(username: "lena")?.isLinkedToProfile == true)
    }
}
