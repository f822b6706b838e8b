import AgoraContent
import AgoraTheme
import Foundation

/// The machine-facing text files: Atom feed, sitemap and robots.txt.
enum Feeds {
    /// What one feed is about: the site's newest products, or one category's.
    struct Channel: Sendable {
        let title: String
        let subtitle: String
        /// The feed's own root-relative path, `/feed.xml`.
        let selfPath: String
        /// The HTML page the feed follows, whose absolute URL is also the feed's id.
        let pagePath: String

        static func site(_ config: SiteConfig) -> Channel {
            Channel(title: config.title, subtitle: "New in \(config.title)", selfPath: "/feed.xml", pagePath: SitePaths.home)
        }
    }

    /// Every value `atom` reads, digested: a feed whose fingerprint is unchanged is not made again
    /// (making one renders the Markdown of its 50 entries). Keep it in step with `atom`; a test
    /// changes each value a feed shows and expects a new fingerprint.
    static func atomFingerprint(_ config: SiteConfig, _ channel: Channel, products: [ProductView], updated: String) -> Fingerprint {
        var encoder = CanonicalEncoder()
        for text in ["atom 1", config.language, config.title, config.baseURL, channel.title, channel.subtitle, channel.selfPath,
                     channel.pagePath, updated] {
            encoder.append(text)
        }
        for view in products.prefix(entryLimit) {
            let product = view.product
            for text in [view.url, product.name, product.date, product.category, view.categoryName, view.maker?.name ?? "\u{0}",
                         view.excerpt, view.priceDisplay, view.descriptionHTML.key] {
                encoder.append(text)
            }
        }
        return encoder.fingerprint()
    }

    /// Entries in a feed: the newest products.
    static let entryLimit = 50

    /// Atom feed (RFC 4287) of the newest 50 of `products`. The shop is the feed's author, so every
    /// entry has one even when its product has no maker.
    static func atom(_ config: SiteConfig, _ channel: Channel, products: [ProductView], updated: String) -> String {
        let x = Escaping.xml
        let pageURL = config.absoluteURL(channel.pagePath)
        var xml = """
        <?xml version="1.0" encoding="utf-8"?>
        <feed xmlns="http://www.w3.org/2005/Atom" xml:lang="\(x(config.language))">
          <title>\(x(channel.title))</title>
          <subtitle>\(x(channel.subtitle))</subtitle>
          <link href="\(x(config.absoluteURL(channel.selfPath)))" rel="self" type="application/atom+xml"/>
          <link href="\(x(pageURL))" rel="alternate" type="text/html"/>
          <id>\(x(pageURL))</id>
          <updated>\(updated)</updated>
          <author><name>\(x(config.title))</name><uri>\(x(config.baseURL))</uri></author>
          <generator>Agora</generator>

        """
        for view in products.prefix(entryLimit) {
            let url = config.absoluteURL(view.url)
            xml += """
              <entry>
                <title>\(x(view.product.name))</title>
                <link href="\(x(url))" rel="alternate" type="text/html"/>
                <id>\(x(url))</id>
                <updated>\(view.product.date)T00:00:00Z</updated>
                <category term="\(x(view.product.category))" label="\(x(view.categoryName))"/>

            """
            if let maker = view.maker { xml += "    <author><name>\(x(maker.name))</name></author>\n" }
            xml += """
                <summary>\(x(view.excerpt))</summary>
                <content type="html">\(x("<p><strong>\(view.priceDisplay)</strong></p>" + view.descriptionHTML.html))</content>
              </entry>

            """
        }
        return xml + "</feed>\n"
    }

    struct SitemapEntry {
        let url: String
        let lastModified: String?
    }

    static func sitemap(_ config: SiteConfig, entries: [SitemapEntry]) -> String {
        var xml = """
        <?xml version="1.0" encoding="utf-8"?>
        <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">

        """
        for entry in entries {
            xml += "  <url><loc>\(Escaping.xml(config.absoluteURL(entry.url)))</loc>"
            if let lastModified = entry.lastModified { xml += "<lastmod>\(lastModified)</lastmod>" }
            xml += "</url>\n"
        }
        return xml + "</urlset>\n"
    }

    /// Crawlers may read the static site; the server's private areas are not for them.
    static func robots(_ config: SiteConfig) -> String {
        """
        User-agent: *
        Disallow: /cart/
        Disallow: /orders/
        Disallow: /account/
        Disallow: /admin/
        Disallow: /api/

        Sitemap: \(config.absoluteURL("/sitemap.xml"))

        """
    }
}
