import AgoraServer
import AgoraSite
import AgoraSQLite
import AgoraStore
import AgoraTestSupport
import AgoraTheme
import Foundation

/// A built shop in a temporary folder with its own SQLite file, served on 127.0.0.1 on a free
/// port for the length of one test.
struct TestShop {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    let root: URL
    var content: URL { root.appendingPathComponent("content") }
    var output: URL { root.appendingPathComponent("output") }
    let store: SQLiteStore
    let catalog: LiveCatalog

    init(_ files: [String: String] = TestShop.catalog, clock: any StoreClock = SystemClock(), countStatements: Bool = false,
         sessionRules: SessionRules = .standard) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("agora-shop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("themes"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Self.repository.appendingPathComponent("themes/default"),
                                         to: root.appendingPathComponent("themes/default"))
        for (path, text) in files { try Self.write(root.appendingPathComponent("content").appendingPathComponent(path), text) }
        try SiteBuilder(options: BuildOptions(siteDirectory: root)).build()
        self.root = root
        store = try SQLiteStore(path: root.appendingPathComponent("data/agora.sqlite").path, clock: clock,
                                countStatements: countStatements, sessionRules: sessionRules)
        catalog = try LiveCatalog(output: root.appendingPathComponent("output"))
    }

    static func write(_ url: URL, _ text: String) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    /// Rebuilds after changing content (for restock and reload tests).
    func rebuild(_ files: [String: String]) throws {
        for (path, text) in files { try Self.write(content.appendingPathComponent(path), text) }
        try SiteBuilder(options: BuildOptions(siteDirectory: root)).build()
    }

    var server: ShopServer {
        get throws { try server { _ in } }
    }

    /// A server whose configuration the test adjusts first.
    func server(_ adjust: (inout ShopServer.Configuration) -> Void) throws -> ShopServer {
        var configuration = ShopServer.Configuration(host: "127.0.0.1", port: 0, output: output,
                                                     openAPIDocument: Self.repository.appendingPathComponent("openapi.yaml"),
                                                     log: LogSink(enabled: false))
        adjust(&configuration)
        return ShopServer(configuration: configuration, store: store, catalog: catalog,
                          theme: try Theme(directory: root.appendingPathComponent("themes/default")))
    }

    /// Runs `body` against the live server; the server stops when it returns.
    func run(_ body: @Sendable (Int) async throws -> Void) async throws {
        try await run(try server, body)
    }

    /// The same with a server of the test's own configuration.
    func run(_ server: ShopServer, _ body: @Sendable (Int) async throws -> Void) async throws {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = server.application { port in continuation.yield(port) }
        let task = Task { try await app.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { return }
        do {
            try await body(port)
        } catch {
            task.cancel()
            _ = await task.result
            throw error
        }
        task.cancel()
        _ = await task.result
    }

    /// Three teas: plenty, a few, and one that is not for sale.
    static let catalog: [String: String] = [
        "site.yml": "title: Test Tea\nbase_url: https://tea.example/\ncurrency: EUR\ncurrency_symbol: \"€\"\n",
        "categories/tea.md": "---\nname: Tea\n---\nLeaves.\n",
        "people/ana.md": "---\nname: Ana Silva\n---\nGrows tea.\n",
        "products/sencha.md": "---\nname: Sencha\nsku: GT-1\ncategory: tea\nprice: 12.50\nstock: 40\nmaker: ana\ndate: 2026-03-01\n---\nBright.\n",
        "products/gyokuro.md": "---\nname: Gyokuro\nsku: GT-2\ncategory: tea\nprice: 30\nstock: 5\ndate: 2026-02-01\n---\nShaded.\n",
        "products/gone.md": "---\nname: Gone\nsku: GT-9\ncategory: tea\nprice: 1\nstock: 9\navailable: false\ndate: 2025-01-01\n---\nNo more.\n",
    ]

    /// A browser logged in as an administrator.
    func admin(port: Int) async throws -> Browser {
        if try await store.accounts.account(username: "admin") == nil {
            _ = try await store.accountRules.create(username: "admin", email: "admin@tea.example", name: "Admin",
                                                  password: "admin password", isAdmin: true)
        }
        let browser = Browser(port: port)
        try await browser.form("/account/login/", ["username": "admin", "password": "admin password"])
        return browser
    }

    static let customer = ["first_name": "Ana", "last_name": "Silva", "email": "ana@example.com", "address": "Rua das Flores 1",
                           "postal_code": "4050-262", "city": "Porto"]
}
