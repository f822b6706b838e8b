import AgoraContent
import Foundation

/// The parts of every page's template context that do not depend on the page: site settings,
/// asset URLs, navigation. Shared by the build's static pages and the server's dynamic ones, so
/// the whole site looks like one site.
public struct PageChrome: Sendable {
    public let config: SiteConfig
    let assetURLs: [String: String]
    let categories: [(slug: String, name: String)]
    let pages: [(slug: String, title: String)]
    public let placeholderImage: String
    let hasMoreCategories: Bool
    public let theme: Theme
    /// Makes the key of `SharedValues` (the build passes its fingerprint); nil in the server,
    /// which never fingerprints a context and gets plain dictionaries.
    private let sharedKey: (@Sendable ([String: Any]) -> String)?
    private let partsCache = SectionCache<[String: String]>()
    private let siteWideCache = SectionCache<UncheckedContext>()

    /// Categories shown in the header; the rest are one click away on /catalog/ and the home page.
    static let navigationCategoryLimit = 8

    /// `categories` in navigation order; `pages` are the content pages linked from the footer.
    public init(config: SiteConfig, categories: [(slug: String, name: String)], pages: [(slug: String, title: String)],
                theme: Theme, sharedKey: (@Sendable ([String: Any]) -> String)? = nil) {
        self.config = config
        self.sharedKey = sharedKey
        assetURLs = theme.assets.templateValues
        self.categories = Array(categories.prefix(Self.navigationCategoryLimit))
        hasMoreCategories = categories.count > Self.navigationCategoryLimit
        self.pages = pages
        placeholderImage = theme.assets.url(for: "no_image.png") ?? ""
        self.theme = theme
    }

    /// The parts shared by every page of a section, rendered once per section: `partials/header`
    /// and `partials/footer` see `site`, `assets` and `nav`, never the page itself. Every page
    /// repeating them is most of a build's template work.
    private func sectionParts(_ section: String?) -> [String: String] {
        partsCache.value(for: section ?? "") {
            var shared: [String: Any] = ["site": siteValues, "assets": assetURLs, "nav": navigation(section)]
            var parts: [String: String] = [:]
            for name in ["header", "footer"] where theme.hasTemplate("partials/\(name)") {
                shared["part"] = name
                parts[name] = (try? theme.render("partials/\(name)", shared)) ?? ""
            }
            return parts
        }
    }

    /// Header and footer rendered for one page with extra values (the server's pages show the
    /// visitor's cart in the header, so theirs cannot come from the per-section cache).
    public func renderedParts(section: String? = nil, extra: [String: Any]) -> [String: String] {
        var shared: [String: Any] = ["site": siteValues, "assets": assetURLs, "nav": navigation(section)]
        shared.merge(extra) { _, new in new }
        var parts: [String: String] = [:]
        for name in ["header", "footer"] where theme.hasTemplate("partials/\(name)") {
            parts[name] = (try? theme.render("partials/\(name)", shared)) ?? ""
        }
        return parts
    }

    /// `site`, `assets` and `nav` (with no entry current) for templates rendered apart from any
    /// one page, such as the product and person cards every list shares: a partial sees the
    /// same site wherever it is rendered.
    public var sharedValues: [String: Any] {
        var values = siteWide(nil)
        values["chrome"] = nil
        return values
    }

    /// `site`, `assets`, `nav` and `chrome` for every page of a section, made once per section.
    /// With a `sharedKey` each is `SharedValues`, so a page's fingerprint hashes four keys instead
    /// of the site's settings, navigation and rendered header and footer again for every page.
    private func siteWide(_ section: String?) -> [String: Any] {
        siteWideCache.value(for: section ?? "") {
            let parts: [String: Any] = ["site": siteValues, "assets": assetURLs as [String: Any], "nav": navigation(section),
                                        "chrome": sectionParts(section) as [String: Any]]
            guard let sharedKey else { return UncheckedContext(values: parts) }
            return UncheckedContext(values: parts.mapValues { value in
                let values = value as? [String: Any] ?? [:]
                return SharedValues(values, key: sharedKey(values))
            })
        }.values
    }

    private var siteValues: [String: Any] {
        [
            "title": config.title, "base_url": config.baseURL, "currency": config.currency,
            "currency_symbol": config.currencySymbol, "language": config.language, "mail_from": config.mailFrom,
            "params": config.params.mapValues(\.templateValue),
        ]
    }

    private func navigation(_ section: String?) -> [String: Any] {
        [
            "categories": categories.map { ["slug": $0.slug, "name": $0.name, "url": SitePaths.category($0.slug),
                                             "current": $0.slug == section] as [String: Any] },
            "pages": pages.map { ["slug": $0.slug, "title": $0.title, "url": SitePaths.page($0.slug),
                                  "current": $0.slug == section] as [String: Any] },
            "more_categories": hasMoreCategories, "catalog_current": section == "catalog",
            "people_current": section == "people", "home_current": section == "home",
        ]
    }

    /// A full template context: `site`, `assets`, `nav`, `meta`, `chrome` (the rendered header and
    /// footer), plus the page's own values.
    /// `section` marks the current navigation entry (`catalog`, `people`, a category slug, a page slug).
    public func context(title: String?, description: String, url: String, section: String? = nil,
                        image: String? = nil, values: [String: Any] = [:]) -> [String: Any] {
        var context = values
        context.merge(siteWide(section)) { _, siteWide in siteWide }
        context["meta"] = [
            "title": title.map { "\($0) · \(config.title)" } ?? config.title,
            "heading": title ?? config.title,
            "description": description,
            "url": url,
            "canonical": config.absoluteURL(url),
            "image": image ?? false,
        ] as [String: Any]
        return context
    }
}

/// Values computed once per section by whichever thread asks first.
private final class SectionCache<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String: Value] = [:]

    func value(for key: String, make: () -> Value) -> Value {
        lock.lock()
        if let value = values[key] {
            lock.unlock()
            return value
        }
        lock.unlock()
        let value = make()
        lock.lock()
        values[key] = value
        lock.unlock()
        return value
    }
}
