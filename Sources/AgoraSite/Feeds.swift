import AgoraContent
import AgoraTheme
import Foundation

/// The machine-facing text files: Atom feed, sitemap and robots.txt.
enum Feeds {
    /// Atom feed of the newest 50 products.
    static func atom(_ config: SiteConfig, products: [ProductView], updated: String) -> String {
        let x = Escaping.xml
        var xml = """
        <?xml version="1.0" encoding="utf-8"?>
        <feed xmlns="http://www.w3.org/2005/Atom" xml:lang="\(x(config.language))">
          <title>\(x(config.title))</title>
          <subtitle>New in \(x(config.title))</subtitle>
          <link href="\(x(config.absoluteURL("/feed.xml")))" rel="self" type="application/atom+xml"/>
          <link href="\(x(config.baseURL))" rel="alternate" type="text/html"/>
          <id>\(x(config.baseURL))</id>
          <updated>\(updated)</updated>
          <generator>Agora</generator>

        """
        for view in products.prefix(50) {
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
