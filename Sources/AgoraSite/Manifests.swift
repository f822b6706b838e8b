import AgoraContent
import Foundation

/// `catalog.json` and `people.json`: what the server reads about the site (SPEC §3.1).
enum Manifests {
    static func catalog(_ content: SiteContent, generated: String, thumbnails: [String: Thumbnails.Set] = [:]) throws -> Data {
        try indexedCatalog(content, generated: generated, thumbnails: thumbnails).data
    }

    /// `catalog.json`, and where in it each product's entry lies (in `content.products`' order).
    static func indexedCatalog(_ content: SiteContent, generated: String,
                               thumbnails: [String: Thumbnails.Set] = [:]) throws -> (data: Data, ranges: [Range<Int>]) {
        let config = content.config
        let manifest = CatalogManifest(
            generated: generated, currency: config.currency,
            site: .init(title: config.title, base_url: config.baseURL, mail_from: config.mailFrom,
                        currency_symbol: config.currencySymbol, language: config.language, theme: config.theme,
                        pages: content.pages.map { .init(slug: $0.slug, title: $0.title, url: SitePaths.page($0.slug)) },
                        shipping: config.shipping, tax: config.tax, owner_email: config.ownerEmail),
            categories: content.categories.map { .init(slug: $0.slug, name: $0.name, url: SitePaths.category($0.slug)) },
            products: content.products.map { entry($0, thumbnails: thumbnails) }
        )
        return try write(manifest)
    }

    static func entry(_ product: Product, thumbnails: [String: Thumbnails.Set]) -> CatalogManifest.Product {
        .init(sku: product.sku, slug: product.slug, name: product.name, url: SitePaths.product(product.slug),
              category: product.category, price: product.price.decimalString, price_minor: product.price.minorUnits,
              stock: product.stock, available: product.available, maker: product.maker,
              image: product.image.map(SitePaths.file), date: product.date,
              thumbnail: product.image.flatMap { thumbnails[$0]?[.small] }.map(\.manifestValue))
    }

    /// One product's entry, as `write` writes it inside the catalog.
    static func entryBytes(_ product: Product, thumbnails: [String: Thumbnails.Set]) -> [UInt8] {
        var json = ManifestJSON(capacity: 512)
        json.product(entry(product, thumbnails: thumbnails))
        return json.bytes
    }

    /// `manifest` in the bytes `encode` gives it: `CatalogManifest`'s keys in sorted order, the
    /// site's settings through `JSONEncoder`.
    static func write(_ manifest: CatalogManifest) throws -> (data: Data, ranges: [Range<Int>]) {
        var json = ManifestJSON(capacity: 400 * manifest.products.count + 8192)
        json.raw("{\"categories\":")
        json.array(manifest.categories) { json, category in
            json.raw("{\"name\":"); json.string(category.name)
            json.raw(",\"slug\":"); json.string(category.slug)
            json.raw(",\"url\":"); json.string(category.url)
            json.raw("}")
        }
        json.raw(",\"currency\":"); json.string(manifest.currency)
        json.raw(",\"generated\":"); json.string(manifest.generated)
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(manifest.products.count)
        json.raw(",\"products\":")
        json.array(manifest.products) { json, product in
            let start = json.bytes.count
            json.product(product)
            ranges.append(start..<json.bytes.count)
        }
        if let site = manifest.site {
            json.raw(",\"site\":")
            json.raw(try encodeCompact(site))
        }
        json.raw("}\n")
        return (Data(json.bytes), ranges)
    }

    static func people(_ content: SiteContent, thumbnails: [String: Thumbnails.Set] = [:]) throws -> Data {
        let people = content.people.map {
            PeopleManifest.Person(username: $0.username, name: $0.name, url: SitePaths.person($0.username),
                                  photo: $0.photo.map(SitePaths.file), active: $0.active,
                                  thumbnail: $0.photo.flatMap { thumbnails[$0]?[.small] }.map(\.manifestValue))
        }
        return write(PeopleManifest(people: people))
    }

    /// `manifest` in the bytes `encode` gives it.
    static func write(_ manifest: PeopleManifest) -> Data {
        var json = ManifestJSON(capacity: 300 * manifest.people.count + 64)
        json.raw("{\"people\":")
        json.array(manifest.people) { $0.person($1) }
        json.raw("}\n")
        return Data(json.bytes)
    }

    /// Stable bytes: sorted keys, unescaped slashes, one trailing newline.
    static func encode<Value: Encodable>(_ value: Value) throws -> Data {
        var data = try encodeCompact(value)
        data.append(0x0A)
        return data
    }

    /// The same bytes without the newline, for a value inside a larger one.
    static func encodeCompact<Value: Encodable>(_ value: Value) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }
}

extension Thumbnail {
    var manifestValue: ManifestThumbnail {
        ManifestThumbnail(url: url, srcset: srcset, width: size.width, height: size.height)
    }
}
