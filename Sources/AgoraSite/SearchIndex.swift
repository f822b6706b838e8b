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
        let index = Index(
            currency_symbol: config.currencySymbol,
            products: products.map {
                .init(sku: $0.product.sku, name: $0.product.name, url: $0.url, category: $0.categoryName,
                      price: $0.product.price.decimalString, maker: $0.maker?.name,
                      tags: TagGroup.distinct($0.product.tags), text: shorten($0.excerpt))
            },
            people: people.map {
                .init(username: $0.person.username, name: $0.person.name, url: $0.url, location: $0.person.location,
                      text: shorten($0.excerpt))
            })
        return write(index)
    }

    /// `index` in the bytes `Manifests.encode` gives it (a test holds them equal): keys sorted,
    /// absent optionals left out, as the synthesized `Encodable` leaves them.
    static func write(_ index: Index) -> Data {
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
        json.array(index.products) { json, product in
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
        json.raw("}\n")
        return Data(json.bytes)
    }

    private static func shorten(_ text: String) -> String {
        guard text.count > excerptLength else { return text }
        var cut = String(text.prefix(excerptLength))
        if let space = cut.lastIndex(of: " ") { cut = String(cut[..<space]) }
        return cut + "…"
    }
}
