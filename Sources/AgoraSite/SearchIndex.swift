import AgoraContent
import Foundation

/// `search.json`: a compact index of available products and active people that the theme's
/// search box filters in the browser, with no server (SPEC §3.3).
enum SearchIndex {
    static let excerptLength = 90

    struct Index: Encodable {
        struct ProductEntry: Encodable {
            let sku: String
            let name: String
            let url: String
            let category: String
            let price: String
            let maker: String?
            let tags: [String]
            let text: String
        }
        struct PersonEntry: Encodable {
            let username: String
            let name: String
            let url: String
            let location: String?
            let text: String
        }
        let currency_symbol: String
        let products: [ProductEntry]
        let people: [PersonEntry]
    }

    /// Products newest first and people by name, as on the site, so the file is stable.
    static func json(products: [ProductView], people: [PersonView], config: SiteConfig) throws -> Data {
        indexed(products: products, people: people, config: config).data
    }

    /// The index, and where in it each product's entry lies (in `products`' order): an edit of one
    /// product's own values puts its new entry in place of the old one (`PatchBuild`).
    static func indexed(products: [ProductView], people: [PersonView], config: SiteConfig) -> (data: Data, ranges: [Range<Int>]) {
        let index = Index(
            currency_symbol: config.currencySymbol,
            products: products.map(entry),
            people: people.map {
                .init(username: $0.person.username, name: $0.person.name, url: $0.url, location: $0.person.location,
                      text: shorten($0.excerpt))
            })
        return write(index)
    }

    static func entry(_ view: ProductView) -> Index.ProductEntry {
        .init(sku: view.product.sku, name: view.product.name, url: view.url, category: view.categoryName,
              price: view.product.price.decimalString, maker: view.maker?.name,
              tags: TagGroup.distinct(view.product.tags), text: shorten(view.excerpt))
    }

    /// One product's entry, as `write` writes it inside the index.
    static func entryBytes(_ view: ProductView) -> [UInt8] {
        var json = ManifestJSON(capacity: 512)
        write(entry(view), to: &json)
        return json.bytes
    }

    /// `index` in the bytes `Manifests.encode` gives it (a test holds them equal): keys sorted,
    /// absent optionals left out, as the synthesized `Encodable` leaves them.
    static func write(_ index: Index) -> (data: Data, ranges: [Range<Int>]) {
        var json = ManifestJSON(capacity: 300 * (index.products.count + index.people.count) + 64)
        json.raw("{\"currency_symbol\":"); json.string(index.currency_symbol)
        json.raw(",\"people\":")
        json.array(index.people) { json, person in
            json.raw("{")
            if let location = person.location { json.raw("\"location\":"); json.string(location); json.raw(",") }
            json.raw("\"name\":"); json.string(person.name)
            json.raw(",\"text\":"); json.string(person.text)
            json.raw(",\"url\":"); json.string(person.url)
            json.raw(",\"username\":"); json.string(person.username)
            json.raw("}")
        }
        json.raw(",\"products\":")
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(index.products.count)
        json.array(index.products) { json, product in
            let start = json.bytes.count
            write(product, to: &json)
            ranges.append(start..<json.bytes.count)
        }
        json.raw("}\n")
        return (Data(json.bytes), ranges)
    }

    private static func write(_ product: Index.ProductEntry, to json: inout ManifestJSON) {
        json.raw("{\"category\":"); json.string(product.category)
        if let maker = product.maker { json.raw(",\"maker\":"); json.string(maker) }
        json.raw(",\"name\":"); json.string(product.name)
        json.raw(",\"price\":"); json.string(product.price)
        json.raw(",\"sku\":"); json.string(product.sku)
        json.raw(",\"tags\":"); json.array(product.tags) { $0.string($1) }
        json.raw(",\"text\":"); json.string(product.text)
        json.raw(",\"url\":"); json.string(product.url)
        json.raw("}")
    }

    private static func shorten(_ text: String) -> String {
        guard text.count > excerptLength else { return text }
        var cut = String(text.prefix(excerptLength))
        if let space = cut.lastIndex(of: " ") { cut = String(cut[..<space]) }
        return cut + "…"
    }
}
