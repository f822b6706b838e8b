import AgoraTestSupport
import CBrotli
import Foundation
import Testing
@testable import AgoraSite

@Suite struct OutputSafetyTests {
    @Test func twoBuildsAreByteIdentical() throws {
        let first = try TestSite(TestSite.shop)
        let second = try TestSite(TestSite.shop)
        try first.build()
        try second.build()
        let a = try first.snapshot()
        let b = try second.snapshot()
        #expect(a.keys.sorted() == b.keys.sorted())
        for (path, data) in a { #expect(b[path] == data, "\(path) differs between builds") }
    }

    @Test func aRebuildRewritesOnlyWhatChanged() throws {
        let site = try TestSite(TestSite.shop)
        try site.build()
        let old = Date(timeIntervalSince1970: 1_000_000_000)
        for path in try site.snapshot().keys {
            try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: site.output.appendingPathComponent(path).path)
        }
        let unchanged = try site.build()
        #expect(unchanged.filesWritten == 0)
        #expect(try site.modificationDate("index.html") == old)

        try site.write("products/black/assam.md", "---\nname: Assam\nsku: BT-1\ncategory: black-tea\nprice: 9\nstock: 10\ndate: 2026-01-01\n---\nMaltier.\n")
        let changed = try site.build()
        #expect(changed.filesWritten > 0)
        #expect(try site.read("products/assam/index.html").contains("€9.00"))
        #expect(try site.modificationDate("products/assam/index.html") != old)
        #expect(try site.modificationDate("products/sencha/index.html") == old)
        #expect(try site.modificationDate("people/ana/index.html") == old)
    }

    @Test func aFailedBuildLeavesThePreviousOutputUntouched() throws {
        let site = try TestSite(TestSite.shop)
        try site.build()
        let before = try site.snapshot()
        try site.write("products/green/sencha.md", "---\nname: Sencha\ncategory: nope\nprice: 12.5x\n---\n")
        try site.write("products/new.md", "---\nname: New\ncategory: green-tea\nprice: 1\n---\n")
        #expect(throws: BuildFailure.self) { try site.build() }
        do throws(BuildFailure) {
            try SiteBuilder(options: site.options).build()
        } catch {
            #expect(error.lines == [
                "content/products/green/sencha.md:3: category: \"nope\" does not exist (known: black-tea, green-tea)",
                "content/products/green/sencha.md:4: price: \"12.5x\" is not a decimal amount",
            ])
        }
        #expect(try site.snapshot() == before)
        #expect(!site.exists("products/new/index.html"))
        #expect(!site.exists(".agora-staging"))
    }

    @Test func aBrokenTemplateFailsTheBuildWithoutTouchingOutput() throws {
        let site = try TestSite(TestSite.shop)
        try site.build()
        let before = try site.snapshot()
        try Data("{{#product}}unclosed".utf8).write(to: site.root.appendingPathComponent("themes/default/templates/product.mustache"))
        #expect(throws: BuildFailure.self) { try site.build() }
        #expect(try site.snapshot() == before)
    }

    @Test func filesNoLongerProducedAreRemovedButDotfilesStay() throws {
        let site = try TestSite(TestSite.shop)
        try FileManager.default.createDirectory(at: site.output, withIntermediateDirectories: true)
        try Data().write(to: site.output.appendingPathComponent(".gitkeep"))
        try site.build()
        #expect(site.exists("products/bancha/index.html"))
        try FileManager.default.removeItem(at: site.content.appendingPathComponent("products/green/bancha.md"))
        let summary = try site.build()
        #expect(summary.filesRemoved >= 1)
        #expect(!site.exists("products/bancha/index.html"))
        #expect(!site.exists("products/bancha"))
        #expect(site.exists(".gitkeep"))
    }

    /// A default build writes no compressed copies: as many files as pages and assets.
    @Test func aDefaultBuildWritesNoCompressedCopies() throws {
        let site = try TestSite(TestSite.shop)
        try site.build(precompress: true)
        #expect(site.exists("index.html.gz") && site.exists("search.json.br"))
        let summary = try site.build()   // the copies of a --precompress build go
        #expect(summary.filesRemoved > 0)
        let files = try FileManager.default.subpathsOfDirectory(atPath: site.output.path)
        #expect(!files.contains { $0.hasSuffix(".gz") || $0.hasSuffix(".br") })
    }

    @Test func textFilesGetDeterministicGzipCopies() throws {
        let site = try TestSite(TestSite.shop)
        try site.build(precompress: true)
        for path in ["index.html", "products/sencha/index.html", "catalog.json", "sitemap.xml", "feed.xml", "search.json"] {
            let original = try Data(contentsOf: site.output.appendingPathComponent(path))
            let compressed = try Data(contentsOf: site.output.appendingPathComponent(path + ".gz"))
            #expect(compressed.prefix(2) == Data([0x1f, 0x8b]), "\(path).gz is not gzip")
            #expect(try gunzip(compressed) == original, "\(path).gz does not match")
        }
        #expect(!site.exists("images/sencha.png.gz"))
        let css = try #require(try FileManager.default.contentsOfDirectory(atPath: site.output.appendingPathComponent("assets").path)
            .first { $0.hasSuffix(".css") })
        #expect(site.exists("assets/\(css).gz"))
        // A page that did not change keeps its copy untouched too.
        let old = Date(timeIntervalSince1970: 1_000_000_000)
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: site.output.appendingPathComponent("index.html.gz").path)
        try site.build(precompress: true)
        #expect(try site.modificationDate("index.html.gz") == old)
    }

    @Test func largerTextFilesGetBrotliCopiesButPagesDoNot() throws {
        let site = try TestSite(TestSite.shop)
        try site.build(precompress: true)
        let css = try #require(try FileManager.default.contentsOfDirectory(atPath: site.output.appendingPathComponent("assets").path)
            .first { $0.hasSuffix(".css") })
        for path in ["catalog.json", "people.json", "search.json", "sitemap.xml", "feed.xml", "assets/\(css)"] {
            let original = try Data(contentsOf: site.output.appendingPathComponent(path))
            let compressed = try Data(contentsOf: site.output.appendingPathComponent(path + ".br"))
            #expect(Self.unbrotli(compressed, size: original.count) == original, "\(path).br does not match")
        }
        #expect(!site.exists("index.html.br") && !site.exists("products/sencha/index.html.br"))
        #expect(!site.exists("images/sencha.png.br"))
        let first = try Data(contentsOf: site.output.appendingPathComponent("search.json.br"))
        try FileManager.default.removeItem(at: site.output.appendingPathComponent("search.json"))
        try site.build(precompress: true)
        #expect(try Data(contentsOf: site.output.appendingPathComponent("search.json.br")) == first, "brotli copies are deterministic")
    }

    static func unbrotli(_ data: Data, size: Int) -> Data? {
        var decodedSize = size
        var output = Data(count: size)
        let result = data.withUnsafeBytes { (input: UnsafeRawBufferPointer) in
            output.withUnsafeMutableBytes { (out: UnsafeMutableRawBufferPointer) in
                BrotliDecoderDecompress(input.count, input.bindMemory(to: UInt8.self).baseAddress, &decodedSize,
                                        out.bindMemory(to: UInt8.self).baseAddress)
            }
        }
        guard result == BROTLI_DECODER_RESULT_SUCCESS else { return nil }
        output.count = decodedSize
        return output
    }

    private func gunzip(_ data: Data) throws -> Data {
        let child = try ChildProcess("/bin/gzip", ["-dc"], input: data, output: .pipe)
        let result = child.readToEnd()
        child.wait()
        return result
    }
}
