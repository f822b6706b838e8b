import AgoraContent
import AgoraTheme

/// The parts of every page's template context that do not depend on the page: site settings,
/// asset URLs, navigation. Shared by the build and (later) the server's dynamic pages.
public struct PageChrome: Sendable {
    public let config: SiteConfig
    let assetURLs: [String: String]
    let categories: [(slug: String, name: String)]
    let pages: [(slug: String, title: String)]
    let placeholderImage: String

    public init(content: SiteContent, theme: Theme) {
        config = content.config
        assetURLs = theme.assets.templateValues
        categories = content.categories.map { ($0.slug, $0.name) }
        pages = content.pages.map { ($0.slug, $0.title) }
        placeholderImage = theme.assets.url(for: "no_image.png") ?? ""
    }

    /// A full template context: `site`, `assets`, `nav`, `meta`, plus the page's own values.
    /// `section` marks the current navigation entry (`catalog`, `people`, a category slug, a page slug).
    public func context(title: String?, description: String, url: String, section: String? = nil,
                        values: [String: Any] = [:]) -> [String: Any] {
        var context = values
        context["site"] = [
            "title": config.title, "base_url": config.baseURL, "currency": config.currency,
            "currency_symbol": config.currencySymbol, "language": config.language, "mail_from": config.mailFrom,
            "params": TemplateValue.params(config.params),
        ] as [String: Any]
        context["assets"] = assetURLs
        context["nav"] = [
            "categories": categories.map { ["slug": $0.slug, "name": $0.name, "url": SitePaths.category($0.slug),
                                             "current": $0.slug == section] as [String: Any] },
            "pages": pages.map { ["slug": $0.slug, "title": $0.title, "url": SitePaths.page($0.slug),
                                  "current": $0.slug == section] as [String: Any] },
            "catalog_current": section == "catalog", "people_current": section == "people",
            "home_current": section == "home",
        ] as [String: Any]
        context["meta"] = [
            "title": title.map { "\($0) · \(config.title)" } ?? config.title,
            "heading": title ?? config.title,
            "description": description,
            "url": url,
            "canonical": config.absoluteURL(url),
        ] as [String: Any]
        return context
    }
}
