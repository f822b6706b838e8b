import AgoraContent
import AgoraStore
import Foundation

/// What the server knows about the site: `catalog.json` and `people.json` from the build
/// (SPEC §3.1). The server never renders catalog pages; it only looks products and people up.
public struct Catalog: Sendable {
    public struct Product: Sendable, Equatable {
        public let sku: String
        public let slug: String
        public let name: String
        public let url: String
        public let category: String
        public let price: Money
        public let stock: Int
        public let available: Bool
        public let maker: String?
        public let image: String?
        /// The 80×80 thumbnail of `image` made by the build, if any.
        public var thumbnail: ManifestThumbnail? = nil

        public var item: CatalogItem { CatalogItem(sku: sku, name: name, price: price, stock: stock, available: available) }
    }

    public struct Person: Sendable, Equatable {
        public let username: String
        public let name: String
        public let url: String
        public let photo: String?
        public let active: Bool
        /// The 80×80 thumbnail of `photo` made by the build, if any.
        public var thumbnail: ManifestThumbnail? = nil
    }

    public let config: SiteConfig
    public let categories: [(slug: String, name: String)]
    public let pages: [(slug: String, title: String)]
    public let products: [String: Product]
    /// Products in manifest order (newest first).
    public let productOrder: [String]
    public let people: [String: Person]
    /// Which load of the manifests this is (1 at start, one more at each reload): what is
    /// derived from names and links and kept between requests is kept with it.
    public internal(set) var generation: UInt64 = 0

    public func product(sku: String) -> Product? { products[sku] }

    /// Products with a maker, oldest first (so `published` actions follow the products' order).
    public var madeProducts: [(sku: String, maker: String)] {
        productOrder.reversed().compactMap { sku in products[sku].flatMap { product in product.maker.map { (sku, $0) } } }
    }
}

extension LiveCatalog {
    /// Called at start and after every reload: records `published` for products with a maker
    /// seen for the first time (SPEC §6.5), and names in the log the shoppers' accounts that
    /// share a username with a profile — they stay shoppers until the owner runs
    /// `agora users link` (SPEC §6.11).
    func settle(in store: any ShopStore, log: LogSink) async {
        _ = try? await store.social.recordPublished(current.madeProducts)
        for account in (try? await store.accounts.profileConflicts(people: Set(current.people.keys))) ?? [] {
            log.write("accounts: \(account.username) is a shopper's account and also a profile's username; "
                + "it stays a shopper until `agora users link \(account.username)`")
        }
    }
}

/// A manifest that cannot be used, with a message that says which file and what to do.
public struct CatalogError: Error, CustomStringConvertible, Sendable {
    public let description: String
}

extension Catalog {
    /// Reads both manifests from a built output folder.
    public static func load(from output: URL) throws(CatalogError) -> Catalog {
        let catalogFile = output.appendingPathComponent("catalog.json")
        let peopleFile = output.appendingPathComponent("people.json")
        let catalog: CatalogManifest = try decode(catalogFile)
        let people: PeopleManifest = try decode(peopleFile)
        var products: [String: Product] = [:]
        var order: [String] = []
        for entry in catalog.products {
            guard let price = Money(decimal: entry.price), Identifier.isSKU(entry.sku), entry.stock >= 0 else {
                throw CatalogError(description: "\(catalogFile.path): product \"\(entry.sku)\" has an invalid sku, price or stock; rebuild with `agora build`")
            }
            products[entry.sku] = Product(sku: entry.sku, slug: entry.slug, name: entry.name, url: entry.url, category: entry.category,
                                          price: price, stock: entry.stock, available: entry.available, maker: entry.maker,
                                          image: entry.image, thumbnail: entry.thumbnail)
            order.append(entry.sku)
        }
        let site = catalog.site
        let config = SiteConfig(title: site?.title ?? "Shop", baseURL: site?.base_url ?? "http://127.0.0.1/",
                                currency: catalog.currency, currencySymbol: site?.currency_symbol ?? "$",
                                theme: site?.theme ?? "default", mailFrom: site?.mail_from, language: site?.language ?? "en",
                                shipping: site?.shipping, tax: site?.tax, ownerEmail: site?.owner_email)
        return Catalog(
            config: config,
            categories: catalog.categories.map { ($0.slug, $0.name) },
            pages: (site?.pages ?? []).map { ($0.slug, $0.title) },
            products: products, productOrder: order,
            people: Dictionary(people.people.map {
                ($0.username, Person(username: $0.username, name: $0.name, url: $0.url, photo: $0.photo, active: $0.active,
                                     thumbnail: $0.thumbnail))
            }, uniquingKeysWith: { first, _ in first }))
    }

    private static func decode<Manifest: Decodable>(_ file: URL) throws(CatalogError) -> Manifest {
        guard let data = try? Data(contentsOf: file) else {
            throw CatalogError(description: "\(file.path) is missing; run `agora build` first (or pass --output)")
        }
        do {
            return try JSONDecoder().decode(Manifest.self, from: data)
        } catch {
            throw CatalogError(description: "\(file.path) is not a valid manifest (\(describe(error))); rebuild with `agora build`")
        }
    }

    private static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "missing \"\(key.stringValue)\" at \(path(context))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "wrong type at \(path(context))"
        case DecodingError.dataCorrupted(let context):
            return context.debugDescription
        default:
            return "\(error)"
        }
    }

    private static func path(_ context: DecodingError.Context) -> String {
        context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }
}

/// The catalog in force, swapped whole on reload (SIGHUP, `POST /admin/reload`) so that a
/// request sees either the old manifests or the new ones, never a mix.
public final class LiveCatalog: Sendable {
    private let state: Locked<Catalog>
    public let output: URL

    public init(output: URL) throws(CatalogError) {
        self.output = output
        var first = try Catalog.load(from: output)
        first.generation = 1
        state = Locked(first)
    }

    public var current: Catalog { state.withLock { $0 } }

    /// Re-reads the manifests; on error the catalog in force stays.
    @discardableResult
    public func reload() throws(CatalogError) -> Catalog {
        var fresh = try Catalog.load(from: output)
        return state.withLock { current in
            fresh.generation = current.generation + 1
            current = fresh
            return fresh
        }
    }
}
