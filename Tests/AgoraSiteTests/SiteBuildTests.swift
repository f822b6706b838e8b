import Foundation
import Testing
@testable import AgoraSite

#if canImport(FoundationXML)
import FoundationXML
#endif

@Suite struct SiteBuildTests {
    @Test func writesTheWholeOutputTree() throws {
        let site = try TestSite(TestSite.shop)
        let summary = try site.build()
        for path in [
            "index.html", "404.html", "sitemap.xml", "feed.xml", "robots.txt", "catalog.json", "people.json",
            "catalog/index.html", "catalog/page/2/index.html", "catalog/green-tea/index.html",
            "catalog/green-tea/page/2/index.html", "catalog/black-tea/index.html",
            "products/sencha/index.html", "products/gyokuro/index.html", "products/bancha/index.html",
            "products/assam/index.html", "people/index.html", "people/ana/index.html", "people/bea/index.html",
            "about/index.html", "images/sencha.png", "images/ana.png",
        ] {
            #expect(site.exists(path), "missing \(path)")
        }
        // Unavailable products, drafts and inactive people get no page.
        #expect(!site.exists("products/gone/index.html"))
        #expect(!site.exists("products/soon/index.html"))
        #expect(!site.exists("people/old/index.html"))
        #expect(!site.exists("catalog/page/3/index.html"))  // 4 listed products, 2 per page
        #expect(summary.products == 5)
        #expect(summary.categories == 2)
        #expect(summary.people == 3)
        #expect(summary.line.hasPrefix("Built \(summary.pages) pages in "))
        #expect(summary.line.hasSuffix(" s (5 products, 2 categories, 3 people)"))
        // Hashed theme assets are linked from every page.
        let css = try #require(try FileManager.default.contentsOfDirectory(atPath: site.output.appendingPathComponent("assets").path)
            .first { $0.hasPrefix("style.") && $0.hasSuffix(".css") })
        #expect(try site.read("index.html").contains("href=\"/assets/\(css)\""))
        #expect(try site.read("products/sencha/index.html").contains("/assets/\(css)"))
    }

    @Test func productPageHasTheCartFormAndEverythingAShopperNeeds() throws {
        let site = try TestSite(TestSite.shop)
        try site.build()
        let page = try site.read("products/sencha/index.html")
        #expect(page.contains(#"<form class="add-to-cart" method="post" action="/cart/add/GT-1""#))
        #expect(page.contains(#"name="quantity" type="number" inputmode="numeric" value="1" min="1" max="20""#))
        #expect(page.contains("€12.50"))
        #expect(page.contains("In stock"))
        #expect(page.contains(#"<a href="/people/ana/" data-username="ana">Ana Silva</a>"#))
        #expect(page.contains(#"<a href="/catalog/green-tea/">Green Tea</a>"#))
        #expect(page.contains("<strong>bright</strong>"))
        #expect(page.contains(#"data-sku="GT-1""#))
        #expect(page.contains("data-cart-summary"))
        #expect(page.contains(#"<link rel="canonical" href="https://tea.example/shop/products/sencha/">"#))
        #expect(page.contains(#"<img src="/images/sencha.png" alt="Sencha""#))
        // Sold out: the button is disabled; a maker without a page is shown without a link.
        let gyokuro = try site.read("products/gyokuro/index.html")
        #expect(gyokuro.contains("Sold out"))
        #expect(gyokuro.contains("<button class=\"button\" type=\"submit\" disabled>"))
        let bancha = try site.read("products/bancha/index.html")
        #expect(bancha.contains("Made by Old Timer</p>"))
        #expect(!bancha.contains("/people/old/"))
        #expect(bancha.contains("Only 3 left"))
    }

    @Test func contentCannotInjectMarkup() throws {
        let site = try TestSite(TestSite.shop)
        try site.build()
        let sencha = try site.read("products/sencha/index.html")
        #expect(!sencha.contains("<script>alert"))
        #expect(!sencha.contains("javascript:"))
        let assam = try site.read("products/assam/index.html")
        #expect(assam.contains("<h1>Assam &lt;b&gt;Bold&lt;/b&gt;</h1>"))
        #expect(!assam.contains("<b>Bold</b>"))
        #expect(try site.read("catalog/black-tea/index.html").contains("Assam &lt;b&gt;Bold&lt;/b&gt;"))
    }

    @Test func profileFieldsCannotInjectMarkup() throws {
        var files = TestSite.shop
        files["people/eve.md"] = "---\nname: \"Eve <script>alert(1)</script>\"\nlocation: \"<img src=x onerror=alert(2)>\"\n"
            + "website: \"https://eve.example/?q=<script>alert(3)</script>\"\n---\n"
            + "Eve's <iframe src=\"https://evil.example\"></iframe> bio with [a link](javascript:alert(4)).\n"
        let site = try TestSite(files)
        try site.build()
        for page in ["people/eve/index.html", "people/index.html"] {
            let html = try site.read(page)
            #expect(!html.contains("<script>alert"), "\(page)")
            #expect(!html.contains("<img src=x"), "\(page)")
            #expect(!html.contains("<iframe"), "\(page)")
            #expect(!html.contains("javascript:alert"), "\(page)")
        }
        #expect(try site.read("people/eve/index.html").contains("Eve &lt;script&gt;alert(1)&lt;/script&gt;"))
    }

    @Test func listsArePaginatedNewestFirst() throws {
        let site = try TestSite(TestSite.shop)
        try site.build()
        let first = try site.read("catalog/index.html")
        let second = try site.read("catalog/page/2/index.html")
        #expect(first.contains(">Sencha<") && first.contains(">Gyokuro<"))
        #expect(second.contains(">Bancha<") && second.contains("Assam"))
        #expect(first.contains(#"<a rel="next" href="/catalog/page/2/">"#))
        #expect(second.contains(#"<a rel="prev" href="/catalog/">"#))
        #expect(!first.contains(">Gone<"))
        let green = try site.read("catalog/green-tea/index.html")
        #expect(green.contains("Steamed and pan-fired leaves."))
        #expect(green.contains("3 products"))
    }

    @Test func profilesListThePersonsProducts() throws {
        let site = try TestSite(TestSite.shop)
        try site.build()
        let ana = try site.read("people/ana/index.html")
        #expect(ana.contains("<h1>Ana Silva</h1>"))
        #expect(ana.contains("Ana grows tea on the hills."))
        #expect(ana.contains(#"href="/products/sencha/""#))
        #expect(!ana.contains(#"href="/products/gyokuro/""#))
        #expect(ana.contains(#"<form class="follow-form" method="post" action="/account/follow" data-follow data-username="ana">"#))
        let directory = try site.read("people/index.html")
        #expect(directory.contains("Ana Silva") && directory.contains("Bea Costa"))
        #expect(!directory.contains("Old Timer"))
        #expect(try site.read("about/index.html").contains(#"<a href="/products/sencha/">Sencha</a>"#))
    }

    @Test func manifestsFollowTheContract() throws {
        let site = try TestSite(TestSite.shop)
        try site.build()
        let catalog = try site.json("catalog.json")
        #expect(catalog["currency"] as? String == "EUR")
        #expect(catalog["generated"] as? String == "2026-03-01T00:00:00Z")
        let categories = try #require(catalog["categories"] as? [[String: Any]])
        #expect(categories.map { $0["slug"] as? String } == ["green-tea", "black-tea"])
        #expect(categories.first?["url"] as? String == "/catalog/green-tea/")
        let products = try #require(catalog["products"] as? [[String: Any]])
        #expect(products.count == 5)  // the draft is left out, the unavailable product is kept
        let sencha = try #require(products.first { $0["sku"] as? String == "GT-1" })
        #expect(sencha["slug"] as? String == "sencha")
        #expect(sencha["name"] as? String == "Sencha")
        #expect(sencha["url"] as? String == "/products/sencha/")
        #expect(sencha["category"] as? String == "green-tea")
        #expect(sencha["price"] as? String == "12.50")
        #expect(sencha["price_minor"] as? Int == 1250)
        #expect(sencha["stock"] as? Int == 40)
        #expect(sencha["available"] as? Bool == true)
        #expect(sencha["maker"] as? String == "ana")
        #expect(sencha["image"] as? String == "/images/sencha.png")
        #expect(sencha["date"] as? String == "2026-03-01")
        let gone = try #require(products.first { $0["sku"] as? String == "BT-9" })
        #expect(gone["available"] as? Bool == false)
        #expect(gone["maker"] is NSNull)
        #expect(gone["image"] is NSNull)
        let assam = try #require(products.first { $0["sku"] as? String == "BT-1" })
        #expect(assam["price"] as? String == "8.05")
        #expect(assam["price_minor"] as? Int == 805)

        let people = try #require(try site.json("people.json")["people"] as? [[String: Any]])
        #expect(people.count == 3)
        let ana = try #require(people.first { $0["username"] as? String == "ana" })
        #expect(ana["name"] as? String == "Ana Silva")
        #expect(ana["url"] as? String == "/people/ana/")
        #expect(ana["photo"] as? String == "/images/ana.png")
        #expect(ana["active"] as? Bool == true)
        let old = try #require(people.first { $0["username"] as? String == "old" })
        #expect(old["active"] as? Bool == false)
        #expect(old["photo"] is NSNull)
    }

    @Test func sitemapFeedAndRobotsUseAbsoluteURLs() throws {
        let site = try TestSite(TestSite.shop)
        try site.build()
        let sitemap = try site.read("sitemap.xml")
        let locations = XMLText.values(of: "loc", in: sitemap)
        #expect(locations.contains("https://tea.example/shop/"))
        #expect(locations.contains("https://tea.example/shop/products/sencha/"))
        #expect(locations.contains("https://tea.example/shop/catalog/green-tea/page/2/"))
        #expect(locations.contains("https://tea.example/shop/about/"))
        #expect(!locations.contains { $0.contains("404") || $0.contains("/gone/") || $0.contains("/people/old/") })
        #expect(locations.allSatisfy { $0.hasPrefix("https://tea.example/shop/") })

        let feed = try site.read("feed.xml")
        let ids = XMLText.values(of: "id", in: feed)
        #expect(ids.first == "https://tea.example/shop/")
        #expect(Array(ids.dropFirst()) == ["https://tea.example/shop/products/sencha/", "https://tea.example/shop/products/gyokuro/",
                                           "https://tea.example/shop/products/bancha/", "https://tea.example/shop/products/assam/"])
        #expect(XMLText.values(of: "title", in: feed).contains("Assam <b>Bold</b>"))  // escaped in XML, intact once parsed
        #expect(try site.read("robots.txt").contains("Sitemap: https://tea.example/shop/sitemap.xml"))
    }

    @Test func theDemoContentBuildsCleanly() throws {
        let site = try TestSite([:])
        try FileManager.default.copyItem(at: TestSite.repository.appendingPathComponent("content"), to: site.content)
        var options = site.options
        options.strictLinks = true  // the demo links between products, people and pages, and none is broken
        let summary = try SiteBuilder(options: options).build()
        #expect(summary.linkWarnings.isEmpty)
        #expect(summary.products >= 30)
        #expect(summary.categories >= 5)
        #expect(summary.people >= 8)
        #expect(site.exists("about/index.html"))
    }
}

/// Parses XML for real (so escaping mistakes fail) and collects the text of every `name` element.
enum XMLText {
    static func values(of name: String, in xml: String) -> [String] {
        let collector = Collector(name: name)
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = collector
        guard parser.parse() else { return ["<invalid XML: \(parser.parserError.map { "\($0)" } ?? "?")>"] }
        return collector.values
    }

    private final class Collector: NSObject, XMLParserDelegate {
        let name: String
        var values: [String] = []
        private var current: String?

        init(name: String) {
            self.name = name
        }

        func parser(_ parser: XMLParser, didStartElement element: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            if element == name { current = "" }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            current? += string
        }

        func parser(_ parser: XMLParser, didEndElement element: String, namespaceURI: String?, qualifiedName: String?) {
            if element == name, let current { values.append(current) }
            current = nil
        }
    }
}

/// Keys that look like typos of known ones warn with their line (SPEC §2: other unknown keys
/// reach templates as `params` silently).
@Suite struct UnknownKeyTests {
    @Test func nearMissesWarnAndStillReachTemplates() throws {
        var files = TestSite.shop
        files["site.yml"]! += "currancy_symbol: \"£\"\ntagline: Fine tea\n"
        files["products/black/assam.md"] = """
        ---
        name: Assam
        sku: BT-1
        category: black-tea
        price: 8
        stok: 8
        prcie: 14
        origin: Assam
        Maker: ana
        ---
        Malty.
        """
        let site = try TestSite(files)
        let first = try site.build()
        let expected = [
            "content/products/black/assam.md:6: stok: unknown key (did you mean \"stock\"?)",
            "content/products/black/assam.md:7: prcie: unknown key (did you mean \"price\"?)",
            "content/products/black/assam.md:9: Maker: unknown key (did you mean \"maker\"?)",
            "content/site.yml:6: currancy_symbol: unknown key (did you mean \"currency_symbol\"?)",
        ]
        #expect(first.contentWarnings.map(\.description) == expected)
        // The files come from the build cache the second time; the warnings do not go away.
        let second = try site.build()
        #expect(second.contentFilesParsed == 0)
        #expect(second.contentWarnings.map(\.description) == expected)
        #expect(try SiteBuilder(options: site.options).check().contentWarnings.map(\.description) == expected)
        #expect(try site.read("products/assam/index.html").contains("€8.00"))
    }
}

/// Partials rendered apart from a page (the cards every list shares) see the site-wide values too.
@Suite struct PartialContextTests {
    @Test func cardsSeeSiteAssetsAndNav() throws {
        let site = try TestSite(TestSite.shop)
        let card = site.root.appendingPathComponent("themes/default/templates/partials/product_card.mustache")
        try ("<article class=\"probe\">{{site.currency_symbol}}{{price}} in {{site.title}} "
            + "css={{assets.style_css}} nav={{#nav.categories}}{{name}};{{/nav.categories}}</article>\n")
            .write(to: card, atomically: true, encoding: .utf8)
        try site.build()
        let catalog = try site.read("catalog/index.html")
        #expect(catalog.contains("<article class=\"probe\">€12.50 in Tea &amp; Co css=/assets/style."))
        #expect(catalog.contains("nav=Green Tea;Black Tea;</article>"))
        #expect(try site.read("people/ana/index.html").contains("<article class=\"probe\">€12.50 in Tea &amp; Co"))
    }
}
