import AgoraTestSupport
import Foundation
import Testing

/// `agora serve --watch`: rebuild on change, live reload, errors shown while the last good output stays.
@Suite(.serialized) struct WatchTests {
    typealias ServerProcess = ServeCommandTests.ServerProcess

    func newSite() throws -> URL {
        let site = FileManager.default.temporaryDirectory.appendingPathComponent("agora-watch-\(UUID().uuidString)")
        #expect(try CommandLineTests().agora(["init", site.path]).status == 0)
        return site
    }

    func edit(_ file: URL, _ change: (String) -> String) throws {
        try change(try String(contentsOf: file, encoding: .utf8)).write(to: file, atomically: true, encoding: .utf8)
    }

    @Test func editsAreRebuiltAndOpenPagesReloadOrShowTheErrors() async throws {
        let site = try newSite()
        let server = try ServerProcess(site: site, arguments: ["--watch"])  // builds before it serves
        let client = HTTPClient(port: server.port)
        let page = try await client.send("GET", "/products/ash-glaze-mug/")
        #expect(page.status == 200)
        #expect(page.text.contains(#"<script src="/_agora/live.js" defer></script>"#))
        #expect(try await client.send("GET", "/_agora/live.js").text.contains("EventSource"))

        let events = try EventStream(port: server.port, path: "/_agora/live")
        let product = site.appendingPathComponent("content/products/ceramics/ash-glaze-mug.md")
        try edit(product) { $0.replacingOccurrences(of: #"price: [0-9.]+"#, with: "price: 77.25", options: .regularExpression) }
        #expect(events.next("reload") != nil)
        #expect(try await client.send("GET", "/products/ash-glaze-mug/").text.contains("77.25"))
        #expect(try await client.send("GET", "/api/cart").status == 200)

        try edit(product) { $0.replacingOccurrences(of: "price: 77.25", with: "price: 12.5x") }
        let failure = try #require(events.next("build-failed"))
        #expect(failure.contains(#"ash-glaze-mug.md:"#) && failure.contains(#"price: \"12.5x\" is not a decimal amount"#))
        let stale = try await client.send("GET", "/products/ash-glaze-mug/")
        #expect(stale.status == 200 && stale.text.contains("77.25"), "the last good output stays served")

        // A page opened while the build is broken sees the errors at once.
        let late = try EventStream(port: server.port, path: "/_agora/live")
        #expect(late.next("build-failed")?.contains("12.5x") == true)

        try edit(product) { $0.replacingOccurrences(of: "price: 12.5x", with: "price: 15") }
        #expect(events.next("reload") != nil)
        #expect(try await client.send("GET", "/products/ash-glaze-mug/").text.contains("15.00"))

        // Theme edits rebuild too.
        let footer = site.appendingPathComponent("themes/default/templates/partials/footer.mustache")
        try edit(footer) { $0 + "<!-- edited footer -->\n" }
        #expect(events.next("reload") != nil)
        #expect(try await client.send("GET", "/people/").text.contains("edited footer"))
        // The server's own pages follow the theme too.
        let cart = site.appendingPathComponent("themes/default/templates/cart.mustache")
        try edit(cart) { $0 + "<!-- edited cart -->\n" }
        #expect(events.next("reload") != nil)
        #expect(try await client.send("GET", "/cart/").text.contains("edited cart"))

        server.kill(SIGTERM)  // with event streams open
        #expect(server.terminationStatus == 0)
    }

    @Test func withoutWatchPagesHaveNoReloadScript() async throws {
        let site = try newSite()
        #expect(try CommandLineTests().agora(["build", "--site", site.path]).status == 0)
        let server = try ServerProcess(site: site)
        let client = HTTPClient(port: server.port)
        #expect(!(try await client.send("GET", "/").text.contains("/_agora/live.js")))
        #expect(try await client.send("GET", "/_agora/live").status == 404)
        server.kill(SIGTERM)
    }
}
