/// `catalog.json` (SPEC §3.1): written by `agora build`, read by `agora serve`. One definition
/// for both sides, so the format cannot drift between writer and reader. Absent optional values
/// are written as `null`, as the contract shows them.
public struct CatalogManifest: Codable, Sendable {
    public struct Site: Codable, Sendable {
        public let title: String
        public let base_url: String
        public let mail_from: String?
        public let currency_symbol: String?
        public let language: String?
        public let theme: String?
        /// Content pages, for the footer of the server's own pages.
        public let pages: [Page]?
        /// Shipping and tax from site.yml (SPEC §6.8), absent when not configured.
        public let shipping: ShippingRules?
        public let tax: TaxRules?
        /// Where the owner's `new_order` mail goes.
        public let owner_email: String?

        public init(title: String, base_url: String, mail_from: String?, currency_symbol: String?, language: String?,
                    theme: String?, pages: [Page]?, shipping: ShippingRules? = nil, tax: TaxRules? = nil, owner_email: String? = nil) {
            self.owner_email = owner_email
            self.shipping = shipping
            self.tax = tax
            self.title = title
            self.base_url = base_url
            self.mail_from = mail_from
            self.currency_symbol = currency_symbol
            self.language = language
            self.theme = theme
            self.pages = pages
        }
    }

    public struct Page: Codable, Sendable {
        public let slug: String
        public let title: String
        public let url: String

        public init(slug: String, title: String, url: String) {
            self.slug = slug
            self.title = title
            self.url = url
        }
    }

    public struct Category: Codable, Sendable {
        public let slug: String
        public let name: String
        public let url: String

        public init(slug: String, name: String, url: String) {
            self.slug = slug
            self.name = name
            self.url = url
        }
    }

    public struct Product: Codable, Sendable {
        public let sku: String
        public let slug: String
        public let name: String
        public let url: String
        public let category: String
        public let price: String
        public let price_minor: Int64
        public let stock: Int
        public let available: Bool
        public let maker: String?
        public let image: String?
        public let date: String
        /// The 80×80 thumbnail of `image` (feed, ranking), when the build could make one.
        public let thumbnail: ManifestThumbnail?

        public init(sku: String, slug: String, name: String, url: String, category: String, price: String, price_minor: Int64,
                    stock: Int, available: Bool, maker: String?, image: String?, date: String, thumbnail: ManifestThumbnail? = nil) {
            self.sku = sku
            self.slug = slug
            self.name = name
            self.url = url
            self.category = category
            self.price = price
            self.price_minor = price_minor
            self.stock = stock
            self.available = available
            self.maker = maker
            self.image = image
            self.date = date
            self.thumbnail = thumbnail
        }

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
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
            try container.encode(thumbnail, forKey: .thumbnail)
        }
    }

    public let generated: String
    public let currency: String
    public let site: Site?
    public let categories: [Category]
    public let products: [Product]

    public init(generated: String, currency: String, site: Site?, categories: [Category], products: [Product]) {
        self.generated = generated
        self.currency = currency
        self.site = site
        self.categories = categories
        self.products = products
    }
}

/// `people.json` (SPEC §3.1).
public struct PeopleManifest: Codable, Sendable {
    public struct Person: Codable, Sendable {
        public let username: String
        public let name: String
        public let url: String
        public let photo: String?
        public let active: Bool
        /// The 80×80 thumbnail of `photo` (feed avatars), when the build could make one.
        public let thumbnail: ManifestThumbnail?

        public init(username: String, name: String, url: String, photo: String?, active: Bool, thumbnail: ManifestThumbnail? = nil) {
            self.username = username
            self.name = name
            self.url = url
            self.photo = photo
            self.active = active
            self.thumbnail = thumbnail
        }

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(username, forKey: .username)
            try container.encode(name, forKey: .name)
            try container.encode(url, forKey: .url)
            try container.encode(photo, forKey: .photo)
            try container.encode(active, forKey: .active)
            try container.encode(thumbnail, forKey: .thumbnail)
        }
    }

    public let people: [Person]

    public init(people: [Person]) {
        self.people = people
    }
}

/// A thumbnail in a manifest: what an `<img>` needs.
public struct ManifestThumbnail: Codable, Sendable, Hashable {
    public let url: String
    public let srcset: String
    public let width: Int
    public let height: Int

    public init(url: String, srcset: String, width: Int, height: Int) {
        self.url = url
        self.srcset = srcset
        self.width = width
        self.height = height
    }
}
