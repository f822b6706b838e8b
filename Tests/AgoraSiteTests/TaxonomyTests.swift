import AgoraTestSupport
import Foundation
import Testing
@testable import AgoraSite

/// Tags as a taxonomy and the Atom feeds (SPEC §6.10).
@Suite struct TaxonomyTests {
    /// The small shop with tags: Sencha [green, japan], Gyokuro [Japan, shaded], Bancha [japan], and an
    /// unavailable product whose tag gets no page.
    static let tagged: [String: String] = {
        var files = TestSite.shop
        files["products/green/gyokuro.md"] = "---\nname: Gyokuro\nsku: GT-2\ncategory: green-tea\nprice: 30\nstock: 0\nmaker: bea\n"
            + "date: 2026-02-01\ntags: [Japan, shaded]\n---\nShaded.\n"
        files["products/green/bancha.md"] = "---\nname: Bancha\ncategory: green-tea\nprice: 5\nstock: 3\ndate: 2026-01-15\n"
            + "tags: [japan, japan]\n---\nEveryday.\n"
        files["products/black/gone.md"] = "---\nname: Gone\nsku: BT-9\ncategory: black-tea\nprice: 1\navailable: false\n"
            + "date: 2025-01-01\ntags: [retired]\n---\nNo more.\n"
        return files
    }()

    @Test func everyTagHasAPaginatedPageAndTheIndexCountsThem() throws {
        let site = try TestSite(Self.tagged)
        try site.build()
        let index = try site.read("tags/index.html")
        #expect(index.contains(#"<a href="/tags/green/">green <span class="tag-count">1</span></a>"#))
        #expect(index.contains(#"<a href="/tags/japan/">Japan <span class="tag-count">3</span></a>"#))
        #expect(index.contains(#"<a href="/tags/shaded/">shaded <span class="tag-count">1</span></a>"#))
        #expect(!index.contains("retired"))
        #expect(!site.exists("tags/retired/index.html"))

        // Three products, two per page (products_per_page), newest first; spellings share one page.
        let first = try site.read("tags/japan/index.html")
        #expect(first.contains("Tagged “Japan”"))
        #expect(first.contains("/products/sencha/") && first.contains("/products/gyokuro/"))
        #expect(!first.contains("/products/bancha/"))
        #expect(first.contains("/tags/japan/page/2/"))
        #expect(try site.read("tags/japan/page/2/index.html").contains("/products/bancha/"))
        #expect(!site.exists("tags/japan/page/3/index.html"))

        let locations = XMLText.values(of: "loc", in: try site.read("sitemap.xml"))
        for path in ["tags/", "tags/japan/", "tags/japan/page/2/", "tags/shaded/"] {
            #expect(locations.contains("https://tea.example/shop/\(path)"), "sitemap lacks \(path)")
        }
    }

    @Test func productPagesLinkTheirTagsAndSearchFindsThem() throws {
        let site = try TestSite(Self.tagged)
        try site.build()
        let sencha = try site.read("products/sencha/index.html")
        #expect(sencha.contains(#"<a href="/tags/green/" rel="tag">green</a>"#))
        #expect(sencha.contains(#"<a href="/tags/japan/" rel="tag">japan</a>"#))
        // A tag written twice on one product is linked once.
        #expect(try site.read("products/bancha/index.html").components(separatedBy: #"href="/tags/japan/""#).count == 2)

        let products = try #require(try site.json("search.json")["products"] as? [[String: Any]])
        let gyokuro = try #require(products.first { $0["sku"] as? String == "GT-2" })
        #expect(gyokuro["tags"] as? [String] == ["Japan", "shaded"])
    }

    @Test func aTagWithoutLettersIsAContentError() throws {
        var files = Self.tagged
        files["products/black/assam.md"] = "---\nname: Assam\nsku: BT-1\ncategory: black-tea\nprice: 8\ntags: [malty, \"!!\"]\n---\nMalty.\n"
        let site = try TestSite(files)
        #expect {
            try site.build()
        } throws: { error in
            "\(error)".contains("content/products/black/assam.md:6: tags: \"!!\" has no letters or digits")
        }
    }

    @Test func linksToTagPagesAreChecked() throws {
        var files = Self.tagged
        files["pages/about.md"] = "---\ntitle: About us\n---\nSee [Japanese teas](/tags/japan/) and [nothing](/tags/nope/).\n"
        let site = try TestSite(files)
        let summary = try site.build()
        #expect(summary.linkWarnings.map(\.description) == ["content/pages/about.md:4: link: /tags/nope/ does not exist"])
    }

    @Test func changingAProductsTagsRerendersTheTagPages() throws {
        let site = try TestSite(Self.tagged)
        try site.build()
        let before = try site.snapshot()
        try site.write("products/green/bancha.md", "---\nname: Bancha\ncategory: green-tea\nprice: 5\nstock: 3\ndate: 2026-01-15\n"
                       + "tags: [everyday]\n---\nEveryday.\n")
        try site.build()
        let after = try site.snapshot()
        let changed = IncrementalBuildTests.changed(before, after)
        #expect(changed.isSuperset(of: ["tags/index.html", "tags/everyday/index.html", "tags/japan/page/2/index.html",
                                        "products/bancha/index.html"]))
        #expect(after["tags/japan/page/2/index.html"] == nil)  // two products left: one page
        #expect(try site.read("tags/index.html").contains(#"<a href="/tags/everyday/">everyday"#))

        var fresh = site.options
        fresh.outputDirectory = site.root.appendingPathComponent("fresh")
        fresh.cacheDirectory = nil
        try SiteBuilder(options: fresh).build()
        #expect(after == (try TestSite.snapshot(of: fresh.outputDirectory)))
    }

    @Test func everyFeedIsValidAtom() throws {
        let site = try TestSite(Self.tagged)
        try site.build()
        for path in ["feed.xml", "catalog/green-tea/feed.xml", "catalog/black-tea/feed.xml"] {
            let feed = try site.read(path)
            #expect(AtomValidator.problems(feed).isEmpty, "\(path): \(AtomValidator.problems(feed))")
        }
        // Each category's feed holds its own products, and its page names it.
        let green = try site.read("catalog/green-tea/feed.xml")
        #expect(XMLText.values(of: "id", in: green) == ["https://tea.example/shop/catalog/green-tea/",
                                                        "https://tea.example/shop/products/sencha/",
                                                        "https://tea.example/shop/products/gyokuro/",
                                                        "https://tea.example/shop/products/bancha/"])
        #expect(try site.read("catalog/green-tea/index.html")
            .contains(#"<link rel="alternate" type="application/atom+xml" title="New in Green Tea" href="/catalog/green-tea/feed.xml">"#))
    }

    /// The validator catches what the site feed once lacked: Assam has no maker, so its entry had no
    /// author while the feed had none either.
    @Test func theValidatorRejectsAnEntryWithoutAnyAuthor() {
        let feed = """
        <?xml version="1.0" encoding="utf-8"?>
        <feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><id>https://x.example/</id><updated>2026-01-01T00:00:00Z</updated>
        <entry><title>A</title><id>https://x.example/a/</id><updated>2026-01-01T00:00:00Z</updated><link href="https://x.example/a/"/>
        <author><name>Ana</name></author></entry>
        <entry><title>B</title><id>https://x.example/b/</id><updated>2026-01-01</updated><link href="https://x.example/b/"/></entry>
        </feed>
        """
        #expect(AtomValidator.problems(feed) == [
            "entry 2: <updated> 2026-01-01 is not an RFC 3339 date-time",
            "entry 2 has no author and neither has the feed",
        ])
    }
}
