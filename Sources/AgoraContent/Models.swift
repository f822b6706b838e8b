/// A product category (`content/categories/<slug>.md`).
public struct Category: Hashable, Sendable {
    public let slug: String
    public let name: String
    public let weight: Int
    public let descriptionMarkdown: MarkdownBody
    public let params: [String: ParamValue]
    public let source: SourceLocation

    public init(slug: String, name: String, weight: Int, descriptionMarkdown: MarkdownBody,
                params: [String: ParamValue], source: SourceLocation) {
        self.slug = slug
        self.name = name
        self.weight = weight
        self.descriptionMarkdown = descriptionMarkdown
        self.params = params
        self.source = source
    }
}

/// A product for sale (`content/products/**/<slug>.md`).
///
/// A class, immutable: the build holds every product several times over (the parsed files, the
/// content, each view, lists, feeds), and each copy of a struct of fifteen fields retained every
/// one of its strings and arrays (`initializeWithCopy for Product` and its `destroy` were 3.3 % of
/// a one-product edit's samples; six alternating edits at 10,000 products: wall 1.16 → 1.08 s, CPU
/// 1.67 → 1.56 s). Equality and hashing are by value, field by field, as before (`ProductValueTests`).
public final class Product: Hashable, Sendable {
    public let sku: String
    public let slug: String
    public let name: String
    public let category: String
    public let price: Money
    /// Total units ever put on sale; the server subtracts units sold (SPEC §6.3).
    public let stock: Int
    public let available: Bool
    /// Path under `content/`, without a leading slash, e.g. `images/tea.jpg`.
    public let image: String?
    public let maker: String?
    /// `YYYY-MM-DD`.
    public let date: String
    public let draft: Bool
    public let tags: [String]
    public let descriptionMarkdown: MarkdownBody
    public let params: [String: ParamValue]
    public let source: SourceLocation

    public init(sku: String, slug: String, name: String, category: String, price: Money, stock: Int,
                available: Bool, image: String?, maker: String?, date: String, draft: Bool, tags: [String],
                descriptionMarkdown: MarkdownBody, params: [String: ParamValue], source: SourceLocation) {
        self.sku = sku
        self.slug = slug
        self.name = name
        self.category = category
        self.price = price
        self.stock = stock
        self.available = available
        self.image = image
        self.maker = maker
        self.date = date
        self.draft = draft
        self.tags = tags
        self.descriptionMarkdown = descriptionMarkdown
        self.params = params
        self.source = source
    }

    public static func == (left: Product, right: Product) -> Bool {
        left === right || (left.sku == right.sku && left.slug == right.slug && left.name == right.name
            && left.category == right.category && left.price == right.price && left.stock == right.stock
            && left.available == right.available && left.image == right.image && left.maker == right.maker
            && left.date == right.date && left.draft == right.draft && left.tags == right.tags
            && left.descriptionMarkdown == right.descriptionMarkdown && left.params == right.params && left.source == right.source)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(sku)
        hasher.combine(slug)
        hasher.combine(name)
        hasher.combine(category)
        hasher.combine(price)
        hasher.combine(stock)
        hasher.combine(available)
        hasher.combine(image)
        hasher.combine(maker)
        hasher.combine(date)
        hasher.combine(draft)
        hasher.combine(tags)
        hasher.combine(descriptionMarkdown)
        hasher.combine(params)
        hasher.combine(source)
    }
}

/// A person in the directory (`content/people/<username>.md`).
public struct Person: Hashable, Sendable {
    public let username: String
    public let name: String
    public let photo: String?
    public let location: String?
    public let website: String?
    public let active: Bool
    public let bioMarkdown: MarkdownBody
    public let params: [String: ParamValue]
    public let source: SourceLocation

    public init(username: String, name: String, photo: String?, location: String?, website: String?, active: Bool,
                bioMarkdown: MarkdownBody, params: [String: ParamValue], source: SourceLocation) {
        self.username = username
        self.name = name
        self.photo = photo
        self.location = location
        self.website = website
        self.active = active
        self.bioMarkdown = bioMarkdown
        self.params = params
        self.source = source
    }
}

/// A free-standing page such as about or shipping (`content/pages/<slug>.md`).
public struct Page: Hashable, Sendable {
    public let slug: String
    public let title: String
    public let bodyMarkdown: MarkdownBody
    public let params: [String: ParamValue]
    public let source: SourceLocation

    public init(slug: String, title: String, bodyMarkdown: MarkdownBody, params: [String: ParamValue], source: SourceLocation) {
        self.slug = slug
        self.title = title
        self.bodyMarkdown = bodyMarkdown
        self.params = params
        self.source = source
    }
}

/// A file under `content/` that is not Markdown; copied to the same path in the output.
public struct StaticFile: Hashable, Sendable {
    /// Relative path, e.g. `images/tea.jpg`.
    public let path: String

    public init(path: String) {
        self.path = path
    }
}

/// Where an item came from, for error lines and (later) link checking inside bodies.
public struct SourceLocation: Hashable, Sendable {
    /// The path as shown to the user, e.g. `content/products/green-tea.md`.
    public let file: String
    /// The first line of the Markdown body.
    public let bodyStartLine: Int
    /// The line of each front-matter key, for errors found after parsing (dangling references).
    public let keyLines: [String: Int]

    public init(file: String, bodyStartLine: Int, keyLines: [String: Int] = [:]) {
        self.file = file
        self.bodyStartLine = bodyStartLine
        self.keyLines = keyLines
    }

    /// The line of `key`, or 1 when the key was not written (its value came from a default).
    public func line(of key: String) -> Int { keyLines[key] ?? 1 }
}

/// The whole validated content of a site.
public struct SiteContent: Sendable {
    public let config: SiteConfig
    /// Sorted by weight, then name.
    public let categories: [Category]
    /// Every non-draft product (or drafts too with `--drafts`), newest first, then by name.
    public let products: [Product]
    /// Sorted by name, then username.
    public let people: [Person]
    public let pages: [Page]
    public let staticFiles: [StaticFile]

    public init(config: SiteConfig, categories: [Category], products: [Product], people: [Person],
                pages: [Page], staticFiles: [StaticFile]) {
        self.config = config
        self.categories = categories
        self.products = products
        self.people = people
        self.pages = pages
        self.staticFiles = staticFiles
    }
}
