import Foundation
@testable import AgoraSite

/// A throwaway site folder (content/, themes/default copied from the repository, output/).
struct TestSite {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    let root: URL
    var content: URL { root.appendingPathComponent("content") }
    var output: URL { root.appendingPathComponent("output") }
    var options: BuildOptions { BuildOptions(siteDirectory: root) }

    init(_ files: [String: String]) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("agora-site-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("themes"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Self.repository.appendingPathComponent("themes/default"),
                                         to: root.appendingPathComponent("themes/default"))
        for (path, text) in files { try write(path, text) }
    }

    func write(_ path: String, _ text: String) throws {
        let url = content.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    @discardableResult
    func build(precompress: Bool = false) throws -> BuildSummary {
        var options = options
        options.precompress = precompress
        return try SiteBuilder(options: options).build()
    }

    func read(_ path: String) throws -> String {
        try String(contentsOf: output.appendingPathComponent(path), encoding: .utf8)
    }

    func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: output.appendingPathComponent(path).path)
    }

    func json(_ path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: output.appendingPathComponent(path))
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    /// Every file under output/ (hidden ones too) with its bytes.
    func snapshot() throws -> [String: Data] {
        try Self.snapshot(of: output)
    }

    /// The output a build from scratch makes of the content as it is now (in `fresh/`, no cache).
    func freshSnapshot() throws -> [String: Data] {
        var fresh = options
        fresh.outputDirectory = root.appendingPathComponent("fresh")
        fresh.cacheDirectory = nil
        try? FileManager.default.removeItem(at: fresh.outputDirectory)
        try SiteBuilder(options: fresh).build()
        return try Self.snapshot(of: fresh.outputDirectory)
    }

    static func snapshot(of output: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let root = output.standardizedFileURL.path
        let enumerator = FileManager.default.enumerator(at: output, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = enumerator?.nextObject() as? URL {
            guard (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true else { continue }
            files[String(url.standardizedFileURL.path.dropFirst(root.count + 1))] = try Data(contentsOf: url)
        }
        return files
    }

    func modificationDate(_ path: String) throws -> Date? {
        try FileManager.default.attributesOfItem(atPath: output.appendingPathComponent(path).path)[.modificationDate] as? Date
    }

    /// A small shop: 2 categories, 5 products (one unavailable, one draft), 3 people (one inactive), a page.
    static let shop: [String: String] = [
        "site.yml": "title: Tea & Co\nbase_url: https://tea.example/shop\ncurrency: EUR\ncurrency_symbol: \"€\"\nproducts_per_page: 2\n",
        "categories/green-tea.md": "---\nname: Green Tea\nweight: 1\n---\nSteamed and pan-fired leaves.\n",
        "categories/black-tea.md": "---\nname: Black Tea\nweight: 2\n---\nFully oxidised.\n",
        "people/ana.md": "---\nname: Ana Silva\nlocation: Porto\nphoto: images/ana.png\n---\nAna grows tea on the hills.\n",
        "people/bea.md": "---\nname: Bea Costa\n---\nBea blends.\n",
        "people/old.md": "---\nname: Old Timer\nactive: false\n---\nRetired.\n",
        "products/green/sencha.md": """
        ---
        name: Sencha
        sku: GT-1
        category: green-tea
        price: 12.5
        stock: 40
        maker: ana
        date: 2026-03-01
        image: images/sencha.png
        tags: [green, japan]
        ---
        A **bright** tea. <script>alert(1)</script> [bad](javascript:alert(1))
        """,
        "products/green/gyokuro.md": "---\nname: Gyokuro\nsku: GT-2\ncategory: green-tea\nprice: 30\nstock: 0\nmaker: bea\ndate: 2026-02-01\n---\nShaded.\n",
        "products/green/bancha.md": "---\nname: Bancha\ncategory: green-tea\nprice: 5\nstock: 3\nmaker: old\ndate: 2026-01-15\n---\nEveryday.\n",
        "products/black/assam.md": "---\nname: Assam <b>Bold</b>\nsku: BT-1\ncategory: black-tea\nprice: 8.05\nstock: 10\ndate: 2026-01-01\n---\nMalty.\n",
        "products/black/gone.md": "---\nname: Gone\nsku: BT-9\ncategory: black-tea\nprice: 1\navailable: false\ndate: 2025-01-01\n---\nNo more.\n",
        "products/black/soon.md": "---\nname: Soon\nsku: BT-10\ncategory: black-tea\nprice: 1\ndraft: true\ndate: 2026-04-01\n---\nDraft.\n",
        "pages/about.md": "---\ntitle: About us\n---\nWe sell [Sencha](/products/sencha/).\n",
        "images/sencha.png": "PNG-ish bytes",
        "images/ana.png": "PNG-ish bytes too",
    ]
}
