@testable import AgoraSite
import AgoraContent
import Foundation
import Testing

/// The manifests' direct writer gives `JSONEncoder`'s bytes (sorted keys, unescaped slashes,
/// nulls and left-out optionals as the `Encodable` conformances write them) for any text.
@Suite struct ManifestJSONTests {
    static let texts = ["", "plain", "quote \" and \\ backslash", "slash / and </script> & <b>", "tab\t nl\n cr\r bs\u{8} ff\u{c}",
                        "\u{1}\u{1f}\u{7f}\u{0}", "é ü 日本 🍵 e\u{301}", "\u{2028}\u{2029}\u{feff}", "100%"]

    struct Random {
        var generator = SystemRandomNumberGenerator()
        mutating func text() -> String { (0..<Int.random(in: 1...3, using: &generator)).map { _ in ManifestJSONTests.texts.randomElement(using: &generator)! }.joined() }
        mutating func maybe() -> String? { Bool.random(using: &generator) ? text() : nil }
        mutating func int() -> Int { Int.random(in: -1_000_000...1_000_000, using: &generator) }
        mutating func flag() -> Bool { Bool.random(using: &generator) }
        mutating func thumbnail() -> ManifestThumbnail? {
            flag() ? ManifestThumbnail(url: text(), srcset: text(), width: int(), height: int()) : nil
        }
    }

    @Test func catalogPeopleAndSearchIndexAreJSONEncodersBytes() throws {
        var random = Random()
        for _ in 0..<300 {
            let site = CatalogManifest.Site(
                title: random.text(), base_url: random.text(), mail_from: random.maybe(), currency_symbol: random.maybe(),
                language: random.maybe(), theme: random.maybe(),
                pages: random.flag() ? [.init(slug: random.text(), title: random.text(), url: random.text())] : nil,
                shipping: nil, tax: random.flag() ? TaxRules(pricesIncludeTax: random.flag(), rates: [random.text(): 2300]) : nil,
                owner_email: random.maybe())
            let catalog = CatalogManifest(
                generated: random.text(), currency: random.text(), site: random.flag() ? site : nil,
                categories: (0..<Int.random(in: 0...3)).map { _ in .init(slug: random.text(), name: random.text(), url: random.text()) },
                products: (0..<Int.random(in: 0...4)).map { _ in
                    .init(sku: random.text(), slug: random.text(), name: random.text(), url: random.text(), category: random.text(),
                          price: random.text(), price_minor: Int64(random.int()), stock: random.int(), available: random.flag(),
                          maker: random.maybe(), image: random.maybe(), date: random.text(), thumbnail: random.thumbnail())
                })
            let written = try Manifests.write(catalog)
            #expect(try written.data == Manifests.encode(catalog))
            // Each product's entry lies where the ranges say: an edit's patch replaces it there.
            #expect(try written.ranges.map { Data(written.data[$0]) } == catalog.products.map(Manifests.encodeCompact))

            let people = PeopleManifest(people: (0..<Int.random(in: 0...4)).map { _ in
                .init(username: random.text(), name: random.text(), url: random.text(), photo: random.maybe(), active: random.flag(),
                      thumbnail: random.thumbnail())
            })
            #expect(try Manifests.write(people) == Manifests.encode(people))

            let index = SearchIndex.Index(
                currency_symbol: random.text(),
                products: (0..<Int.random(in: 0...4)).map { _ in
                    .init(sku: random.text(), name: random.text(), url: random.text(), category: random.text(), price: random.text(),
                          maker: random.maybe(), tags: (0..<Int.random(in: 0...3)).map { _ in random.text() }, text: random.text())
                },
                people: (0..<Int.random(in: 0...4)).map { _ in
                    .init(username: random.text(), name: random.text(), url: random.text(), location: random.maybe(), text: random.text())
                })
            let indexed = SearchIndex.write(index)
            #expect(try indexed.data == Manifests.encode(index))
            #expect(try indexed.ranges.map { Data(indexed.data[$0]) } == index.products.map(Manifests.encodeCompact))
        }
    }
}
