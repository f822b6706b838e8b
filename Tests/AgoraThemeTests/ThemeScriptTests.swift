import AgoraTestSupport
import Foundation
import Testing

/// The default theme's search code, run in Node when it is installed (the browser code has no
/// other dependency, so Node runs the same functions the page does).
@Suite struct ThemeScriptTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("themes/default/assets/agora.js")

    static var node: String? {
        ["/usr/bin/node", "/usr/local/bin/node"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    private func run(_ program: String) throws -> String {
        let child = try ChildProcess(try #require(Self.node), ["-e", program, Self.script.path], output: .pipe)
        let output = child.readToEnd()
        #expect(child.wait() == 0)
        return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(.enabled(if: node != nil)) func searchMatchesEveryWordAndRanksNames() throws {
        let output = try run("""
        const search = require(process.argv[1]);
        const entries = search.prepare({ currency_symbol: "€",
          products: [
            { sku: "CE-1", name: "Celadon Bowl", url: "/products/celadon-bowl/", category: "Ceramics", price: "26.00", maker: "Mira Okafor", text: "A porcelain bowl" },
            { sku: "TC-1", name: "Sencha", url: "/products/sencha/", category: "Tea", price: "14.50", maker: "Aiko", text: "Serve in a bowl" },
            { sku: "WD-1", name: "Olive Board", url: "/products/olive-board/", category: "Woodwork", price: "55.00", maker: "Tomás Ferreira", text: "Olive wood" } ],
          people: [ { username: "tomas", name: "Tomás Ferreira", url: "/people/tomas/", location: "Porto", text: "Carves spoons" } ] });
        console.log(JSON.stringify([
          search.query(entries, "bowl").map(e => e.url),
          search.query(entries, "tomas").map(e => e.url),
          search.query(entries, "bowl porcelain").map(e => e.url),
          search.query(entries, "   ").length,
          search.query(entries, "bowl")[0].detail ]));
        """)
        #expect(output == #"[["/products/celadon-bowl/","/products/sencha/"],["/people/tomas/","/products/olive-board/"],["/products/celadon-bowl/"],0,"Ceramics · €26.00 · by Mira Okafor"]"#)
    }
}
