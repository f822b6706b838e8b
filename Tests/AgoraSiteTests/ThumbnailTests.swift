import CZlib
import Foundation
import Testing
@testable import AgoraSite

/// Thumbnails: made with libvips at build time, named by content, cached across builds.
@Suite struct ThumbnailTests {
    static let photo = TestSite.repository.appendingPathComponent("content/images/products/mug.png")
    static let otherPhoto = TestSite.repository.appendingPathComponent("content/images/products/chai.png")

    /// A shop whose Sencha and Ana have real PNG images.
    static func site() throws -> TestSite {
        let site = try TestSite(TestSite.shop)
        try FileManager.default.removeItem(at: site.content.appendingPathComponent("images/sencha.png"))
        try FileManager.default.copyItem(at: photo, to: site.content.appendingPathComponent("images/sencha.png"))
        try FileManager.default.removeItem(at: site.content.appendingPathComponent("images/ana.png"))
        try FileManager.default.copyItem(at: otherPhoto, to: site.content.appendingPathComponent("images/ana.png"))
        return site
    }

    /// Width and height from a PNG's IHDR chunk.
    static func pngSize(_ data: Data) -> (Int, Int)? {
        guard data.count > 24, data.starts(with: [0x89, 0x50, 0x4E, 0x47]) else { return nil }
        let bytes = [UInt8](data)
        func number(_ at: Int) -> Int { bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (number(16), number(20))
    }

    /// The cropped thumbnails (`-180x180.png`), not the product page's display versions (`-w800.png`).
    static func thumbs(_ snapshot: [String: Data], _ stem: String) -> [String: Data] {
        snapshot.filter { $0.key.hasPrefix("thumbs/\(stem)-") && !$0.key.contains("-w") }
    }

    /// A grey RGB PNG of the given size, made here so the tests need no image tools.
    static func png(width: Int, height: Int) -> Data {
        func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
            let typed = Array(type.utf8) + body
            let crc = UInt32(typed.withUnsafeBufferPointer { crc32(0, $0.baseAddress, UInt32($0.count)) })
            return bigEndian(UInt32(body.count)) + typed + bigEndian(crc)
        }
        func bigEndian(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) } }
        let row = [UInt8(0)] + [UInt8](repeating: 0x80, count: width * 3)
        let raw = [UInt8]((0..<height).flatMap { _ in row })
        var compressedSize = compressBound(uLong(raw.count))
        var compressed = [UInt8](repeating: 0, count: Int(compressedSize))
        _ = compress(&compressed, &compressedSize, raw, uLong(raw.count))
        let header = bigEndian(UInt32(width)) + bigEndian(UInt32(height)) + [8, 2, 0, 0, 0]
        return Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", header)
            + chunk("IDAT", Array(compressed.prefix(Int(compressedSize)))) + chunk("IEND", []))
    }

    /// The product page shows its image through `srcset`: 800 and 1,600 pixels wide when the
    /// original is wider, the original itself as the widest, and WebP copies of each.
    @Test func productPagesGetResponsiveImages() throws {
        let site = try Self.site()
        try Self.png(width: 2000, height: 1000).write(to: site.content.appendingPathComponent("images/sencha.png"))
        let summary = try site.build()
        #expect(summary.imageWarnings.isEmpty)
        let made = try site.snapshot().filter { $0.key.hasPrefix("thumbs/sencha-") && $0.key.contains("-w") }
        let names = Set(made.keys.map { String($0.split(separator: "-").last ?? "") })
        #expect(names.isSuperset(of: ["w800.png", "w1600.png"]))
        #expect(Self.pngSize(try #require(made.first { $0.key.hasSuffix("-w800.png") }?.value)).map { "\($0.0)x\($0.1)" } == "800x400")
        #expect(Self.pngSize(try #require(made.first { $0.key.hasSuffix("-w1600.png") }?.value)).map { "\($0.0)x\($0.1)" } == "1600x800")
        let page = try site.read("products/sencha/index.html")
        let img = try #require(page.firstMatch(of: /<img src="(\/thumbs\/sencha-[0-9a-f]{12}-w800\.png)" srcset="([^"]+)" sizes="[^"]+" alt="Sencha" width="800" height="400">/))
        #expect(String(img.2).hasSuffix("-w1600.png 1600w, /images/sencha.png 2000w"))
        if names.contains("w800.webp") {   // libvips built with WebP, as Debian's is
            #expect(names.isSuperset(of: ["w800.webp", "w1600.webp", "w2000.webp"]))
            #expect(page.contains(#"<source type="image/webp" srcset="/thumbs/sencha-"#))
        }

        // An image narrower than 800 pixels is shown as it is; nothing larger is made.
        try FileManager.default.removeItem(at: site.content.appendingPathComponent("images/sencha.png"))
        try Self.png(width: 500, height: 500).write(to: site.content.appendingPathComponent("images/sencha.png"))
        try site.build()
        let small = try site.read("products/sencha/index.html")
        #expect(small.contains(#"<img src="/images/sencha.png" srcset="/images/sencha.png 500w""#))
        #expect(!(try site.snapshot().keys.contains { $0.hasPrefix("thumbs/sencha-") && $0.hasSuffix("-w800.png") }))
    }

    @Test func imagesGetCroppedThumbnailsAtOneAndTwoTimesEachSize() throws {
        let site = try Self.site()
        let summary = try site.build()
        #expect(summary.imageWarnings.isEmpty)
        let made = Self.thumbs(try site.snapshot(), "sencha")
        let sizes = Set(made.values.compactMap { Self.pngSize($0).map { "\($0.0)x\($0.1)" } })
        #expect(sizes == ["180x180", "360x360", "80x80", "160x160"])
        #expect(made.keys.allSatisfy { $0.range(of: #"^thumbs/sencha-[0-9a-f]{12}-\d+x\d+\.png$"#, options: .regularExpression) != nil })

        // Lists show the 180×180 crop with its 2× version; the placeholder stands in for no image.
        let list = try site.read("catalog/green-tea/index.html")
        let card = try #require(list.range(of: #"<img src="/thumbs/sencha-[^"]+-180x180\.png" srcset="[^"]+ 1x, [^"]+-360x360\.png 2x" alt="" width="180" height="180""#,
                                            options: .regularExpression))
        #expect(!list[card].isEmpty)
        let assam = try site.read("catalog/black-tea/index.html")
        #expect(assam.contains(#"src="/assets/no_image."#))
        #expect(try site.read("people/ana/index.html").contains(#"-360x360.png 2x" alt="Portrait of Ana Silva" width="180" height="180""#))
    }

    @Test func manifestsNameTheSmallThumbnailForTheServer() throws {
        let site = try Self.site()
        try site.build()
        let products = try #require(try site.json("catalog.json")["products"] as? [[String: Any]])
        let sencha = try #require(products.first { $0["sku"] as? String == "GT-1" })
        let thumbnail = try #require(sencha["thumbnail"] as? [String: Any])
        #expect((thumbnail["url"] as? String)?.hasSuffix("-80x80.png") == true)
        #expect(thumbnail["width"] as? Int == 80)
        #expect(site.exists(String((thumbnail["url"] as? String ?? "").dropFirst())))
        #expect(products.first { $0["sku"] as? String == "BT-1" }?["thumbnail"] is NSNull)
        let people = try #require(try site.json("people.json")["people"] as? [[String: Any]])
        #expect(people.first { $0["username"] as? String == "ana" }?["thumbnail"] is [String: Any])
    }

    @Test func thumbnailsAreMadeOnceAndRenamedWhenTheImageChanges() throws {
        let site = try Self.site()
        try site.build()
        let cached = site.root.appendingPathComponent(".agora-cache/thumbs")
        let firstNames = try FileManager.default.contentsOfDirectory(atPath: cached.path).filter { $0.hasPrefix("sencha-") }
        let madeAt = try FileManager.default.attributesOfItem(atPath: cached.appendingPathComponent(firstNames[0]).path)[.modificationDate] as? Date

        try site.build()
        #expect(try FileManager.default.attributesOfItem(atPath: cached.appendingPathComponent(firstNames[0]).path)[.modificationDate] as? Date == madeAt)

        try FileManager.default.removeItem(at: site.content.appendingPathComponent("images/sencha.png"))
        try FileManager.default.copyItem(at: Self.otherPhoto, to: site.content.appendingPathComponent("images/sencha.png"))
        try site.build()
        let after = Self.thumbs(try site.snapshot(), "sencha")
        #expect(after.count == 4)
        #expect(Set(after.keys).isDisjoint(with: firstNames.map { "thumbs/" + $0 }), "a new image gets new URLs")
        #expect(try site.read("products/sencha/index.html").contains(after.keys.first { $0.hasSuffix("-180x180.png") } ?? "missing") == false)
        #expect(try site.read("catalog/green-tea/index.html").contains(after.keys.first { $0.hasSuffix("-180x180.png") } ?? "missing"))
    }

    @Test func aBuildWithoutACacheLeavesNoThumbnailFolderBehind() throws {
        let site = try Self.site()
        var options = site.options
        options.cacheDirectory = nil
        try SiteBuilder(options: options).build()
        #expect(Self.thumbs(try site.snapshot(), "sencha").count == 4)
        #expect(try FileManager.default.contentsOfDirectory(atPath: site.root.path).sorted() == ["content", "output", "themes"])
    }

    @Test func anImageLibvipsCannotReadIsAWarningAndTheFullImageIsShown() throws {
        let site = try TestSite(TestSite.shop)  // its images are not images
        let summary = try site.build()
        #expect(summary.imageWarnings.map(\.file).sorted() == ["content/images/ana.png", "content/images/sencha.png"])
        #expect(summary.imageWarnings.allSatisfy { $0.key == "image" && $0.message.hasPrefix("cannot make a thumbnail") })
        #expect(try site.read("catalog/green-tea/index.html").contains(#"<img src="/images/sencha.png" srcset="/images/sencha.png 1x, /images/sencha.png 2x""#))
        #expect(!site.exists("thumbs"))
    }
}
