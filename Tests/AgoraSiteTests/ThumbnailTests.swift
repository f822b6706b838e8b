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

    static func thumbs(_ snapshot: [String: Data], _ stem: String) -> [String: Data] {
        snapshot.filter { $0.key.hasPrefix("thumbs/\(stem)-") }
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
