import AgoraContent
import Foundation

/// `catalog.json` and `people.json`: what the server reads about the site (SPEC §3.1).
enum Manifests {
    struct Catalog: Encodable {
        struct SiteInfo: Encodable {
            let title: String
            let base_url: String
            let mail_from: String
            let currency_symbol: String
            let language: String
            let theme: String
            /// Content pages, for the footer of the server's own pages.
            let pages: [PageEntry]
        }
        struct PageEntry: Encodable {
            let slug: String
            let title: String
            let url: String
        }
        struct CategoryEntry: Encodable {
            let slug: String
            let name: String
            let url: String
        }
        struct ProductEntry: Encodable {
            let sku: String
            let slug: String
            let name: String
            let url: String
            let category: String
            let price: String
            let price_minor: Int64
            let stock: Int
            let available: Bool
            let maker: String?
            let image: String?
            let date: String

            func encode(to encoder: Encoder) throws {
                // Written by hand so that `maker` and `image` appear as null rather than being left out.
                var container = encoder.container(keyedBy: Keys.self)
                try container.encode(sku, forKey: .sku)
                try container.encode(slug, forKey: .slug)
                try container.encode(name, forKey: .name)
                try container.encode(url, forKey: .url)
                try container.encode(category, forKey: .category)
                try container.encode(price, forKey: .price)
                try container.encode(price_minor, forKey: .price_minor)
                try container.encode(stock, forKey: .stock)
                try container.encode(available, forKey: .available)
                try container.encode(maker, forKey: .maker)
                try container.encode(image, forKey: .image)
                try container.encode(date, forKey: .date)
            }

            enum Keys: String, CodingKey {
                case sku, slug, name, url, category, price, price_minor, stock, available, maker, image, date
            }
        }
        let generated: String
        let currency: String
        let site: SiteInfo
        let categories: [CategoryEntry]
        let products: [ProductEntry]
    }

    struct People: Encodable {
        struct PersonEntry: Encodable {
            let username: String
            let name: String
            let url: String
            let photo: String?
            let active: Bool

            func encode(to encoder: Encoder) throws {
                var container = encoder.container(keyedBy: Keys.self)
                try container.encode(username, forKey: .username)
                try container.encode(name, forKey: .name)
                try container.encode(url, forKey: .url)
                try container.encode(photo, forKey: .photo)
                try container.encode(active, forKey: .active)
            }

            enum Keys: String, CodingKey { case username, name, url, photo, active }
        }
        let people: [PersonEntry]
    }

    static func catalog(_ content: SiteContent, generated: String) throws -> Data {
        let config = content.config
        let manifest = Catalog(
            generated: generated, currency: config.currency,
            site: .init(title: config.title, base_url: config.baseURL, mail_from: config.mailFrom,
                        currency_symbol: config.currencySymbol, language: config.language, theme: config.theme,
                        pages: content.pages.map { .init(slug: $0.slug, title: $0.title, url: SitePaths.page($0.slug)) }),
            categories: content.categories.map { .init(slug: $0.slug, name: $0.name, url: SitePaths.category($0.slug)) },
            products: content.products.map { product in
                .init(sku: product.sku, slug: product.slug, name: product.name, url: SitePaths.product(product.slug),
                      category: product.category, price: product.price.decimalString, price_minor: product.price.minorUnits,
                      stock: product.stock, available: product.available, maker: product.maker,
                      image: product.image.map(SitePaths.file), date: product.date)
            }
        )
        return try encode(manifest)
    }

    static func people(_ content: SiteContent) throws -> Data {
        try encode(People(people: content.people.map {
            .init(username: $0.username, name: $0.name, url: SitePaths.person($0.username),
                  photo: $0.photo.map(SitePaths.file), active: $0.active)
        }))
    }

    /// Stable bytes: sorted keys, unescaped slashes, one trailing newline.
    static func encode<Value: Encodable>(_ value: Value) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(value)
        data.append(0x0A)
        return data
    }
}
