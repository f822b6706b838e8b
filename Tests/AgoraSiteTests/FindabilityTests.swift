import AgoraContent
import Foundation
import Testing
@testable import AgoraSite

@Suite struct StructuredDataTests {
    /// The JSON-LD object embedded in a built page.
    private func jsonLD(_ html: String) throws -> [String: Any] {
        let open = try #require(html.range(of: #"<script type="application/ld+json">"#))
        let close = try #require(html.range(of: "</script>", range: open.upperBound..<html.endIndex))
        let json = Data(html[open.upperBound..<close.lowerBound].utf8)
        return try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
    }

    @Test func productPagesCarryProductAndOffer() throws {
        let site = try TestSite(TestSite.shop)
        try site.build()
        let sencha = try jsonLD(try site.read("products/sencha/index.html"))
        #expect(sencha["@context"] as? String == "https://schema.org")
        #expect(sencha["@type"] as? String == "Product")
        #expect(sencha["name"] as? String == "Sencha")
        #expect(sencha["sku"] as? String == "GT-1")
        #expect(sencha["url"] as? String == "https://tea.example/shop/products/sencha/")
        #expect(sencha["image"] as? String == "https://tea.example/shop/images/sencha.png")
        #expect(sencha["category"] as? String == "Green Tea")
        let offer = try #require(sencha["offers"] as? [String: Any])
        #expect(offer["@type"] as? String == "Offer")
        #expect(offer["price"] as? String == "12.50")  // a decimal string, never a float
        #expect(offer["priceCurrency"] as? String == "EUR")
        #expect(offer["availability"] as? String == "https://schema.org/InStock")
        #expect(offer["url"] as? String == "https://tea.example/shop/products/sencha/")

        let gyokuro = try jsonLD(try site.read("products/gyokuro/index.html"))
        #expect((gyokuro["offers"] as? [String: Any])?["availability"] as? String == "https://schema.org/OutOfStock")
        #expect((gyokuro["offers"] as? [String: Any])?["price"] as? String == "30.00")
        // Without an image of its own, the product points at the theme's placeholder, absolutely.
        let image = try #require(gyokuro["image"] as? String)
        #expect(image.hasPrefix("https://tea.example/shop/assets/no_image.") && image.hasSuffix(".png"))
    }

    @Test func jsonLDCannotCloseItsScript() throws {
        var files = TestSite.shop
        files["products/black/assam.md"] = "---\nname: \"</script><script>alert(1)</script>\"\nsku: BT-1\ncategory: black-tea\nprice: 8\n---\nMalty.\n"
        let site = try TestSite(files)
        try site.build()
        let html = try site.read("products/assam/index.html")
        #expect(!html.contains("</script><script>alert(1)"))
        #expect(try jsonLD(html)["name"] as? String == "</script><script>alert(1)</script>")
    }

    @Test func profilePagesCarryPerson() throws {
        let site = try TestSite(TestSite.shop)
        try site.build()
        let ana = try jsonLD(try site.read("people/ana/index.html"))
        #expect(ana["@type"] as? String == "Person")
        #expect(ana["name"] as? String == "Ana Silva")
        #expect(ana["url"] as? String == "https://tea.example/shop/people/ana/")
        #expect(ana["image"] as? String == "https://tea.example/shop/images/ana.png")
        #expect((ana["homeLocation"] as? [String: Any])?["name"] as? String == "Porto")
        #expect(ana["description"] as? String == "Ana grows tea on the hills.")
    }

    @Test func socialCardsAndCanonicalLinks() throws {
        let site = try TestSite(TestSite.shop)
        try site.build()
        let page = try site.read("products/sencha/index.html")
        #expect(page.contains(#"<link rel="canonical" href="https://tea.example/shop/products/sencha/">"#))
        #expect(page.contains(#"<meta property="og:type" content="product">"#))
        #expect(page.contains(#"<meta property="og:title" content="Sencha">"#))
        #expect(page.contains(#"<meta property="og:url" content="https://tea.example/shop/products/sencha/">"#))
        #expect(page.contains(#"<meta property="og:image" content="https://tea.example/shop/images/sencha.png">"#))
        #expect(page.contains(#"<meta property="product:price:amount" content="12.50">"#))
        #expect(page.contains(#"<meta name="twitter:card" content="summary_large_image">"#))
        #expect(page.contains(#"<meta name="twitter:title" content="Sencha">"#))
        #expect(try site.read("about/index.html").contains(#"<link rel="canonical" href="https://tea.example/shop/about/">"#))
    }
}

@Suite struct SearchIndexTests {
    @Test func listsAvailableProductsAndActivePeopleInSiteOrder() throws {
        let site = try TestSite(TestSite.shop)
        let summary = try site.build()
        let index = try site.json("search.json")
        let products = try #require(index["products"] as? [[String: Any]])
        #expect(products.map { $0["sku"] as? String } == ["GT-1", "GT-2", "bancha", "BT-1"])  // no unavailable, no draft
        let sencha = try #require(products.first)
        #expect(sencha["name"] as? String == "Sencha")
        #expect(sencha["url"] as? String == "/products/sencha/")
        #expect(sencha["category"] as? String == "Green Tea")
        #expect(sencha["price"] as? String == "12.50")
        #expect(sencha["maker"] as? String == "Ana Silva")
        #expect((sencha["text"] as? String)?.hasPrefix("A bright tea.") == true)
        let people = try #require(index["people"] as? [[String: Any]])
        #expect(people.map { $0["username"] as? String } == ["ana", "bea"])  // the inactive person is left out
        let bytes = try Data(contentsOf: site.output.appendingPathComponent("search.json")).count
        #expect(summary.searchIndexBytes == bytes)
        #expect(summary.searchIndexLine.hasPrefix("Search index: search.json, "))
        #expect(site.exists("search/index.html"))
    }

    @Test func excerptsStayShort() throws {
        var files = TestSite.shop
        files["products/black/assam.md"] = "---\nname: Assam\nsku: BT-1\ncategory: black-tea\nprice: 8\n---\n"
            + String(repeating: "Malty and bold with notes of honey. ", count: 20) + "\n"
        let site = try TestSite(files)
        try site.build()
        let products = try #require(try site.json("search.json")["products"] as? [[String: Any]])
        let text = try #require(products.first { $0["sku"] as? String == "BT-1" }?["text"] as? String)
        #expect(text.count <= SearchIndex.excerptLength + 1)
        #expect(text.hasSuffix("…"))
    }
}

@Suite struct LinkCheckTests {
    static let brokenLinks: [String: String] = {
        var files = TestSite.shop
        files["pages/about.md"] = """
        ---
        title: About us
        ---
        We sell [Sencha](/products/sencha/) and [nothing](/products/nope/).

        See [the catalog](/catalog/green-tea/page/2/), [a photo](/images/sencha.png),
        [the feed](/feed.xml), [Ana](../people/ana/), [about](/about), [cart](/cart/),
        [a section](#team), [elsewhere](https://example.com/x/), [mail](mailto:a@b.example).

        [missing image](/images/none.png) and [a gone product](/products/gone/)
        """
        files["people/bea.md"] = "---\nname: Bea Costa\n---\nBea blends.\n\nHer [favourite](/products/nope-2/).\n"
        return files
    }()

    @Test func brokenLinksAreWarningsWithTheirFileLine() throws {
        let site = try TestSite(Self.brokenLinks)
        let summary = try site.build()
        #expect(summary.linkWarnings.map(\.description) == [
            "content/pages/about.md:4: link: /products/nope/ does not exist",
            "content/pages/about.md:10: link: /images/none.png does not exist",
            "content/pages/about.md:10: link: /products/gone/ does not exist",
            "content/people/bea.md:6: link: /products/nope-2/ does not exist",
        ])
        #expect(site.exists("about/index.html"))
    }

    /// Link results are kept between builds by body, place, page and outputs: a later build
    /// reports what a build without the cache reports, when a linked page comes and goes, when an
    /// unrelated edit changes nothing about the links, and when a body moves down its file.
    @Test func keptLinkResultsFollowTheOutputsAndTheLines() throws {
        let site = try TestSite(Self.brokenLinks)
        func uncached() throws -> [String] {
            var options = site.options
            options.cacheDirectory = nil
            options.outputDirectory = site.root.appendingPathComponent("fresh")
            return try SiteBuilder(options: options).build().linkWarnings.map(\.description)
        }
        #expect(try site.build().linkWarnings.count == 4)

        try site.write("products/green/nope.md", "---\nname: Nope\ncategory: green-tea\nprice: 1\n---\nNow it exists.\n")
        let added = try site.build().linkWarnings.map(\.description)
        #expect(!added.contains("content/pages/about.md:4: link: /products/nope/ does not exist") && added.count == 3)
        #expect(try added == uncached())

        try site.write("products/green/gyokuro.md", "---\nname: Gyokuro\nsku: GT-2\ncategory: green-tea\nprice: 31\n---\nShaded.\n")
        #expect(try site.build().linkWarnings.map(\.description) == added)

        try FileManager.default.removeItem(at: site.content.appendingPathComponent("products/green/nope.md"))
        #expect(try site.build().linkWarnings.count == 4)
        try site.write("pages/about.md", try String(contentsOf: site.content.appendingPathComponent("pages/about.md"), encoding: .utf8)
            .replacingOccurrences(of: "title: About us\n", with: "title: About us\nweight: 2\n"))
        let moved = try site.build().linkWarnings.map(\.description)
        #expect(moved.first == "content/pages/about.md:5: link: /products/nope/ does not exist" && moved.count == 4)
        #expect(try moved == uncached())
    }

    @Test func strictLinksFailTheBuildAndKeepTheOldOutput() throws {
        let site = try TestSite(TestSite.shop)
        try site.build()
        let before = try site.snapshot()
        for (path, text) in Self.brokenLinks where path.hasSuffix(".md") { try site.write(path, text) }
        var options = site.options
        options.strictLinks = true
        do throws(BuildFailure) {
            try SiteBuilder(options: options).build()
            Issue.record("a broken link should fail a strict build")
        } catch {
            guard case .links(let issues) = error else {
                Issue.record("expected link errors, got \(error)")
                return
            }
            #expect(issues.issues.count == 4)
            #expect(error.lines.first == "content/pages/about.md:4: link: /products/nope/ does not exist")
        }
        #expect(try site.snapshot() == before)
    }

    @Test func resolvesRelativeAndServerPaths() {
        let checker = LinkChecker(outputs: ["index.html", "about/index.html", "products/tea/index.html", "images/a.png"])
        #expect(checker.resolves("/", from: "/about/") == true)
        #expect(checker.resolves("../products/tea/", from: "/about/") == true)
        #expect(checker.resolves("../../../x/", from: "/about/") == false)
        #expect(checker.resolves("/products/tea/#reviews", from: "/") == true)
        #expect(checker.resolves("/images/a%2Epng", from: "/") == true)
        #expect(checker.resolves("/ranking/", from: "/") == true)
        #expect(checker.resolves("/account/login/?next=/", from: "/") == true)
        #expect(checker.resolves("/products/coffee/", from: "/") == false)
        #expect(checker.resolves("https://tea.example/", from: "/") == nil)
        #expect(checker.resolves("//cdn.example/x.js", from: "/") == nil)
        #expect(checker.resolves("#top", from: "/") == nil)
    }

    /// The byte check that skips `normalize` says yes only where `normalize` gives the path back,
    /// and the paths it turns away include every one that `normalize` changes.
    @Test func normalPathsAreThoseNormalizeKeeps() {
        var generator = SystemRandomNumberGenerator()
        let pieces = ["/", "/", ".", "..", "a", "tea", "é", "\u{301}", "%2e", "..."]
        for _ in 0..<20_000 {
            let path = (0..<Int.random(in: 0...7, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            if LinkChecker.isNormal(path) { #expect(LinkChecker.normalize(path) == path, "\(path)") }
            if path.hasPrefix("/"), LinkChecker.normalize(path) != path { #expect(!LinkChecker.isNormal(path), "\(path)") }
        }
        for path in ["/", "/a", "/a/", "/a/b/index.html", "/.../", "/a.b/"] { #expect(LinkChecker.isNormal(path), "\(path)") }
        for path in ["", "a/", "//", "/a//b", "/./", "/../", "/a/.", "/a/..", "/a/./b"] { #expect(!LinkChecker.isNormal(path), "\(path)") }
    }
}

/// The JSON-LD writer gives the bytes Foundation's `JSONSerialization` gave (sorted keys, slashes
/// as they are) with `<`, `>` and `&` escaped for `<script>`, for every kind of text a page can hold.
@Suite struct StructuredDataEncodingTests {
    static func foundation(_ value: [String: Any]) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
            .replacingOccurrences(of: "<", with: "\\u003c").replacingOccurrences(of: ">", with: "\\u003e")
            .replacingOccurrences(of: "&", with: "\\u0026")
    }

    @Test func itWritesWhatJSONSerializationWrote() throws {
        let texts = ["Plain", "Çà va — ☕️ 茶 🫖", "quote \" and back\\slash", "lines\nand\ttabs\r\u{8}\u{c}", "nul\u{0} bell\u{7} esc\u{1b} \u{1f}",
                     "</script><script>alert(1)</script>", "a & b > c < d", "https://tea.example/products/a/?x=1&y=2", "\u{7f}\u{85}\u{2028}\u{2029}", ""]
        for text in texts {
            let value: [String: Any] = [
                "@context": "https://schema.org", "@type": "Product", "name": text, "description": text,
                "offers": ["@type": "Offer", "price": "12.50", "seller": ["@type": "Organization", "name": text]] as [String: Any],
                "sameAs": [text, "https://x.example/"], "alternateName": text, "priceCurrency": "EUR", "price": "1.00",
                "homeLocation": ["@type": "Place", "name": text] as [String: Any], "image": text, "sku": text, "url": text,
            ]
            #expect(StructuredData.encode(value) == (try Self.foundation(value)), "\(text.debugDescription)")
        }
    }
}
