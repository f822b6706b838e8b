import AgoraContent
import AgoraMarkdown
import AgoraTheme
import Foundation

/// Everything a template shows about a product, computed once per build (Markdown rendered,
/// price formatted) and shared by the product page, every list it appears in and the feed.
///
/// A class: lists, tags, pages and the feed hold a product tens of thousands of times, and copying
/// the struct retained each of its strings every time (6 % of a one-product edit's samples).
final class ProductView: Sendable {
    let product: Product
    let url: String
    let imageURL: String
    let imageAbsoluteURL: String
    let hasImage: Bool
    /// Thumbnails of the image; nil when there is no image (the placeholder shows) or libvips
    /// cannot read it (the image itself shows).
    let thumbnails: Thumbnails.Set?
    /// The product page's image at several widths; nil without an image of its own.
    let display: DisplayImage?
    let descriptionHTML: DeferredHTML
    let excerpt: String
    /// Links in the description, for the link checker, and what stands for the description.
    let links: [MarkdownLink]
    let bodyKey: Fingerprint
    let priceDisplay: String
    let categoryName: String
    let maker: PersonLink?

    init(product: Product, url: String, imageURL: String, imageAbsoluteURL: String, hasImage: Bool,
         thumbnails: Thumbnails.Set?, display: DisplayImage? = nil, descriptionHTML: DeferredHTML, excerpt: String,
         links: [MarkdownLink], bodyKey: Fingerprint, priceDisplay: String, categoryName: String, maker: PersonLink?) {
        self.product = product
        self.url = url
        self.imageURL = imageURL
        self.imageAbsoluteURL = imageAbsoluteURL
        self.hasImage = hasImage
        self.thumbnails = thumbnails
        self.display = display
        self.descriptionHTML = descriptionHTML
        self.excerpt = excerpt
        self.links = links
        self.bodyKey = bodyKey
        self.priceDisplay = priceDisplay
        self.categoryName = categoryName
        self.maker = maker
    }

    func context() -> [String: Any] {
        let stock = product.stock
        var values: [String: Any] = [
            "sku": product.sku, "slug": product.slug, "name": product.name, "url": url,
            "price": product.price.decimalString, "price_display": priceDisplay, "price_minor": product.price.minorUnits,
            "stock": stock, "in_stock": stock > 0, "low_stock": stock > 0 && stock <= 5, "available": product.available,
            "image_url": imageURL, "image_absolute_url": imageAbsoluteURL, "has_image": hasImage,
            "thumb": thumbnail(.card, thumbnails, imageURL), "thumb_small": thumbnail(.small, thumbnails, imageURL),
            "display": display?.context() ?? false,
            "category": ["slug": product.category, "name": categoryName, "url": SitePaths.category(product.category)],
            "date": product.date, "date_display": DateDisplay.long(product.date),
            "tags": TagGroup.links(product.tags), "has_tags": !product.tags.isEmpty,
            "description_html": descriptionHTML, "excerpt": excerpt,
            "params": TemplateValue.params(product.params),
        ]
        if let maker { values["maker"] = maker.context() }
        return values
    }
}

/// A person as a name with an optional link: inactive people have no page.
struct PersonLink: Sendable {
    let username: String
    let name: String
    let url: String?

    func context() -> [String: Any] {
        // `has_page` is always set: a missing key would make Mustache look it up in the enclosing
        // product and find the product's own `url`.
        var values: [String: Any] = ["username": username, "name": name, "has_page": url != nil]
        if let url { values["url"] = url }
        return values
    }
}

/// Everything a template shows about a person.
struct PersonView: Sendable {
    let person: Person
    let url: String
    let photoURL: String
    let hasPhoto: Bool
    let thumbnails: Thumbnails.Set?
    let bioHTML: DeferredHTML
    let excerpt: String
    let links: [MarkdownLink]
    let bodyKey: Fingerprint
    let initials: String

    func context() -> [String: Any] {
        var values: [String: Any] = [
            "username": person.username, "name": person.name, "url": url,
            "photo_url": photoURL, "has_photo": hasPhoto, "initials": initials,
            "thumb": thumbnail(.card, thumbnails, photoURL), "thumb_small": thumbnail(.small, thumbnails, photoURL),
            "bio_html": bioHTML, "excerpt": excerpt, "active": person.active,
            "params": TemplateValue.params(person.params),
        ]
        values["location"] = person.location ?? false
        values["website"] = false
        if let website = person.website {
            values["website"] = website
            values["website_display"] = websiteDisplay(website)
        }
        return values
    }

    /// The website as shown: without its scheme and slashes at either end.
    func websiteDisplay(_ website: String) -> String {
        website.replacingOccurrences(of: "https://", with: "")
            .replacingOccurrences(of: "http://", with: "").trimmingCharacters(in: CharacterSet(charactersIn: "/"))
    }
}

/// `thumb` and `thumb_small` in templates: the thumbnail, or `fallback` (the image itself, or
/// the theme's placeholder when there is none) at the thumbnail's size.
private func thumbnail(_ size: ThumbnailSize, _ thumbnails: Thumbnails.Set?, _ fallback: String) -> [String: Any] {
    (thumbnails?[size] ?? .placeholder(fallback, size)).context()
}

/// Converting front-matter `params` into template values.
enum TemplateValue {
    static func params(_ params: [String: ParamValue]) -> [String: Any] {
        params.mapValues(\.templateValue)
    }
}

extension PageChrome {
    init(content: SiteContent, theme: Theme) {
        self.init(config: content.config, categories: content.categories.map { ($0.slug, $0.name) },
                  pages: content.pages.map { ($0.slug, $0.title) }, theme: theme,
                  sharedKey: { Fingerprint.of($0).description })
    }
}

/// Human dates for pages: `2026-01-02` → `2 January 2026`.
enum DateDisplay {
    private static let months = ["January", "February", "March", "April", "May", "June", "July", "August",
                                 "September", "October", "November", "December"]

    static func long(_ date: String) -> String {
        let parts = date.split(separator: "-")
        guard parts.count == 3, let month = Int(parts[1]), let day = Int(parts[2]), (1...12).contains(month) else { return date }
        return "\(day) \(months[month - 1]) \(parts[0])"
    }
}

/// One tag as a taxonomy term: its page and the listed products that carry it (SPEC §6.10).
struct TagGroup: Sendable {
    let slug: String
    /// The spelling shown; when products spell a tag differently ("Tea", "tea"), the first in
    /// sort order, so the choice does not depend on file order.
    let name: String
    let products: [ProductView]

    var url: String { SitePaths.tag(name) }

    /// Tags of the given products (newest first), sorted by slug; each product once per tag.
    static func groups(_ products: [ProductView]) -> [TagGroup] {
        var spellings: [String: Set<String>] = [:]
        var members: [String: [ProductView]] = [:]
        for view in products {
            var seen: Set<String> = []
            for tag in view.product.tags {
                let slug = SitePaths.tagSlug(tag)
                guard !slug.isEmpty else { continue }
                spellings[slug, default: []].insert(tag)
                if seen.insert(slug).inserted { members[slug, default: []].append(view) }
            }
        }
        return members.keys.sorted().map { slug in
            TagGroup(slug: slug, name: spellings[slug]?.min() ?? slug, products: members[slug] ?? [])
        }
    }

    /// A product's tags each once (by slug), in the product's own order and spelling.
    static func distinct(_ tags: [String]) -> [String] {
        var seen: Set<String> = []
        return tags.filter { tag in
            let slug = SitePaths.tagSlug(tag)
            return !slug.isEmpty && seen.insert(slug).inserted
        }
    }

    /// Links for a product page.
    static func links(_ tags: [String]) -> [[String: Any]] {
        distinct(tags).map { ["name": $0, "slug": SitePaths.tagSlug($0), "url": SitePaths.tag($0)] }
    }
}
