import AgoraContent
import Foundation

/// The manifests' long lists (products, people, search entries) written directly, in the bytes
/// `JSONEncoder` with `.sortedKeys` and `.withoutEscapingSlashes` gives them: keys in sorted
/// order, `null` for an absent value, no spaces. `JSONEncoder` was a tenth of an edit build's CPU
/// for these three files; the small, rarely changing parts (the site's settings) still go through
/// it. A test holds every manifest of a sample shop, and hostile text, to `JSONEncoder`'s bytes.
struct ManifestJSON {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    /// Text as it stands: punctuation and keys.
    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func raw(_ data: Data) {
        bytes.append(contentsOf: data)
    }

    mutating func string(_ text: String) {
        JSONEscaping.appendQuoted(text, to: &bytes)
    }

    mutating func string(_ text: String?) {
        if let text { string(text) } else { raw("null") }
    }

    mutating func int<Number: BinaryInteger>(_ number: Number) {
        bytes.append(contentsOf: String(number).utf8)
    }

    mutating func bool(_ flag: Bool) {
        raw(flag ? "true" : "false")
    }

    /// `[a,b,c]`, each element written by `element`.
    mutating func array<Element>(_ elements: [Element], _ element: (inout ManifestJSON, Element) -> Void) {
        bytes.append(UInt8(ascii: "["))
        for (index, value) in elements.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            element(&self, value)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    mutating func thumbnail(_ thumbnail: ManifestThumbnail?) {
        guard let thumbnail else { return raw("null") }
        raw("{\"height\":"); int(thumbnail.height)
        raw(",\"srcset\":"); string(thumbnail.srcset)
        raw(",\"url\":"); string(thumbnail.url)
        raw(",\"width\":"); int(thumbnail.width)
        raw("}")
    }

    mutating func product(_ product: CatalogManifest.Product) {
        raw("{\"available\":"); bool(product.available)
        raw(",\"category\":"); string(product.category)
        raw(",\"date\":"); string(product.date)
        raw(",\"image\":"); string(product.image)
        raw(",\"maker\":"); string(product.maker)
        raw(",\"name\":"); string(product.name)
        raw(",\"price\":"); string(product.price)
        raw(",\"price_minor\":"); int(product.price_minor)
        raw(",\"sku\":"); string(product.sku)
        raw(",\"slug\":"); string(product.slug)
        raw(",\"stock\":"); int(product.stock)
        raw(",\"thumbnail\":"); thumbnail(product.thumbnail)
        raw(",\"url\":"); string(product.url)
        raw("}")
    }

    mutating func person(_ person: PeopleManifest.Person) {
        raw("{\"active\":"); bool(person.active)
        raw(",\"name\":"); string(person.name)
        raw(",\"photo\":"); string(person.photo)
        raw(",\"thumbnail\":"); thumbnail(person.thumbnail)
        raw(",\"url\":"); string(person.url)
        raw(",\"username\":"); string(person.username)
        raw("}")
    }

}
