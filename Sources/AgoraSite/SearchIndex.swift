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
        return try Manifests.encode(index)
    }

    private static func shorten(_ text: String) -> String {
        guard text.count > excerptLength else { return text }
        var cut = String(text.prefix(excerptLength))
        if let space = cut.lastIndex(of: " ") { cut = String(cut[..<space]) }
        return cut + "…"
    }
}
