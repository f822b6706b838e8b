import Foundation
import Testing
@testable import AgoraContent

@Suite struct ContentLoaderTests {
    private func issues(_ content: TempContent, drafts: Bool = false) -> [String] {
        do {
            _ = try ContentLoader(directory: content.root, displayName: "content", includeDrafts: drafts).load()
            return []
        } catch {
            return error.issues.map(\.description)
        }
    }

    @Test func loadsAValidSiteWithDefaults() throws {
        let content = try TempContent([
            "site.yml": TempContent.site + "tagline: Fresh every week\n",
            "categories/green-tea.md": TempContent.category,
            "products/tea/sencha.md": """
            ---
            name: Sencha
            category: green-tea
            price: 12.50
            stock: 40
            maker: ana
            date: 2026-01-02
            tags: [green, japan]
            origin: Shizuoka
            ---
            A *bright* tea.
            """,
            "people/ana.md": "---\nname: Ana Silva\n---\nGrows tea.\n",
            "pages/about.md": "---\ntitle: About us\n---\nHello.\n",
            "images/tea.jpg": "not really a jpeg",
        ])
        let site = try ContentLoader(directory: content.root).load()
        #expect(site.config.title == "Test Shop")
        #expect(site.config.baseURL == "https://shop.example/")
        #expect(site.config.currency == "USD")
        #expect(site.config.productsPerPage == 24)
        #expect(site.config.mailFrom == "shop@shop.example")
        #expect(site.config.params["tagline"] == .string("Fresh every week"))
        let product = try #require(site.products.first)
        #expect(product.sku == "sencha")  // defaults to the slug
        #expect(product.slug == "sencha")
        #expect(product.price.minorUnits == 1250)
        #expect(product.stock == 40)
        #expect(product.available)
        #expect(product.tags == ["green", "japan"])
        #expect(product.params == ["origin": .string("Shizuoka")])
        #expect(product.descriptionMarkdown == "A *bright* tea.")
        #expect(product.source.bodyStartLine == 11)
        #expect(site.people.map(\.username) == ["ana"])
        #expect(site.pages.map(\.slug) == ["about"])
        #expect(site.staticFiles.map(\.path) == ["images/tea.jpg"])
    }

    /// Params keep YAML's plain-scalar types (`true`, `no`, `3`, `1.5`, `~`), while quoted
    /// values stay text; and a key written twice is reported however it is quoted.
    @Test func paramsKeepTheirTypesAndKeysAreText() throws {
        let content = try TempContent([
            "site.yml": TempContent.site,
            "categories/tea.md": TempContent.category,
            "products/typed.md": """
            ---
            name: Typed
            category: tea
            price: 1
            flag: true
            off: no
            quoted: "true"
            count: 3
            ratio: 1.5
            nothing: ~
            items: [a, 2]
            nested: {shade: green}
            ---
            """,
        ])
        let product = try #require(try ContentLoader(directory: content.root).load().products.first)
        #expect(product.params == [
            "flag": .bool(true), "off": .bool(false), "quoted": .string("true"), "count": .int(3), "ratio": .double(1.5),
            "nothing": .null, "items": .list([.string("a"), .int(2)]), "nested": .map(["shade": .string("green")]),
        ])
        let twice = try TempContent([
            "site.yml": TempContent.site,
            "categories/tea.md": TempContent.category,
            "products/quoted-twice.md": "---\nname: A\n\"name\": B\ncategory: tea\nprice: 1\n---\n",
        ])
        #expect(issues(twice).contains { $0.hasPrefix("content/products/quoted-twice.md:") && $0.contains(": name: appears ") })
    }

    @Test func reportsEveryProblemWithItsLine() throws {
        let content = try TempContent([
            "site.yml": TempContent.site,
            "categories/black-tea.md": "---\nname: Black Tea\n---\n",
            "categories/green-tea.md": TempContent.category,
            "people/ana.md": "---\nname: Ana\n---\n",
            "products/green-tea.md": "---\nname: Green Tea\ncategory: green-tea\nsku: GT-1\n\nprice: 12.5x\n---\n",
            "products/oolong.md": "---\nname: Oolong\n\ncategory: teas\nprice: 3\n---\n",
            "products/a.md": "---\nname: A\nsku: GT-1\ncategory: green-tea\nprice: 1\n---\n",
            "products/b.md": "---\nname: B\nsku: GT-1\ncategory: green-tea\nprice: 1\nmaker: bob\nimage: images/none.jpg\n---\n",
            "products/c.md": "---\nname: C\ncategory: green-tea\nprice: 1\nstock: many\navailable: perhaps\n---\n",
            "products/d.md": "---\ncategory: green-tea\nprice: -3\ndate: 2026-02-30\n---\n",
        ])
        #expect(issues(content) == [
            "content/products/b.md:3: sku: \"GT-1\" is also used by content/products/a.md:3",
            "content/products/b.md:6: maker: \"bob\" does not exist in content/people/ (known: ana)",
            "content/products/b.md:7: image: \"images/none.jpg\" does not exist under content/",
            "content/products/c.md:5: stock: \"many\" is not a whole number",
            "content/products/c.md:6: available: \"perhaps\" is not true or false",
            "content/products/d.md:1: name: is required",
            "content/products/d.md:3: price: \"-3\" is negative; prices are 0 or more",
            "content/products/d.md:4: date: \"2026-02-30\" is not a date written YYYY-MM-DD",
            "content/products/green-tea.md:4: sku: \"GT-1\" is also used by content/products/a.md:3",
            "content/products/green-tea.md:6: price: \"12.5x\" is not a decimal amount",
            "content/products/oolong.md:4: category: \"teas\" does not exist (known: black-tea, green-tea)",
        ])
    }

    @Test func reportsMalformedFiles() throws {
        var latin1 = Data("---\nname: Caf".utf8)
        latin1.append(0xE9)  // "é" in Latin-1: not UTF-8
        latin1.append(contentsOf: Array("\ncategory: x\n---\n".utf8))
        let content = try TempContent([
            "site.yml": TempContent.site,
            "categories/tea.md": TempContent.category,
            "products/unclosed.md": "---\nname: Open\ncategory: tea\n",
            "products/no-front-matter.md": "Just text.\n",
            "products/bad-yaml.md": "---\nname: Bad\ncategory: [tea\nprice: 1\n---\n",
            "products/twice.md": "---\nname: Twice\nname: Again\ncategory: tea\nprice: 1\n---\n",
            "products/not-a-map.md": "---\n- a\n- b\n---\n",
            "products/wrong-type.md": "---\nname: [a, b]\ncategory: tea\nprice: 1\n---\n",
            "stray.md": "---\ntitle: Where am I\n---\n",
        ])
        try content.write("products/latin1.md", latin1)
        let lines = issues(content)
        #expect(lines.contains("content/products/unclosed.md:1: front matter: the front matter opened on line 1 is never closed with `---`"))
        #expect(lines.contains("content/products/no-front-matter.md:1: front matter: the file must start with a `---` line that opens the front matter"))
        #expect(lines.contains { $0.hasPrefix("content/products/bad-yaml.md:4: yaml: malformed YAML") })
        #expect(lines.contains("content/products/twice.md:3: name: appears twice (first on line 2)"))
        #expect(lines.contains("content/products/not-a-map.md:2: yaml: expected `key: value` lines"))
        #expect(lines.contains("content/products/wrong-type.md:2: name: expected text, found a list"))
        #expect(lines.contains("content/products/latin1.md:2: encoding: invalid UTF-8 at byte 14; save the file as UTF-8"))
        #expect(lines.contains("content/stray.md:1: file: Markdown files belong in categories/, products/, people/ or pages/"))
    }

    @Test func reportsDuplicateSlugsAndUsernames() throws {
        let content = try TempContent([
            "site.yml": TempContent.site,
            "categories/tea.md": TempContent.category,
            "products/x/sencha.md": "---\nname: A\ncategory: tea\nprice: 1\nsku: A\n---\n",
            "products/y/sencha.md": "---\nname: B\ncategory: tea\nprice: 1\nsku: B\n---\n",
            "people/ana.md": "---\nname: Ana\n---\n",
            "people/ana-2.md": "---\nname: Ana Again\nusername: ana\n---\n",
            "people/Bad Name.md": "---\nname: Bad\n---\n",
        ])
        #expect(issues(content) == [
            "content/people/Bad Name.md:1: username: \"Bad Name\" (from the file name) is not a valid username ([a-z0-9_-], 3 to 30 characters)",
            "content/people/ana.md:1: username: \"ana\" is also used by content/people/ana-2.md:3",
            "content/products/y/sencha.md:1: slug: \"sencha\" is also used by content/products/x/sencha.md:1",
        ])
    }

    @Test func reportsBadSiteConfig() throws {
        let content = try TempContent([
            "site.yml": "title: Shop\nbase_url: shop.example\ncurrency: euro\nproducts_per_page: 0\nmail_from: nobody\nowner_email: me\n",
        ])
        #expect(issues(content) == [
            "content/site.yml:2: base_url: \"shop.example\" is not an absolute http(s) URL",
            "content/site.yml:3: currency: \"euro\" is not an ISO 4217 code such as USD or EUR",
            "content/site.yml:4: products_per_page: 0 is out of range; it must be at least 1 and at most 500",
            "content/site.yml:5: mail_from: \"nobody\" is not an email address",
            "content/site.yml:6: owner_email: \"me\" is not an email address",
        ])
        let missing = try TempContent([:])
        #expect(issues(missing) == ["content/site.yml:1: site.yml: is missing; it needs at least `title:` and `base_url:`"])
    }

    /// `shipping:` and `tax:` (SPEC §6.8), read into exact rules, and every mistake with its line.
    @Test func shippingAndTaxAreReadWithTheirLines() throws {
        let good = try TempContent([
            "site.yml": TempContent.site + """
            shipping:
              free_over: 120.00
              zones:
                - name: Portugal
                  countries: [PT]
                  rate: 4.50
                - name: World
                  countries: ["*"]
                  rate: 18
            tax:
              prices_include_tax: true
              rates:
                PT: 23
                FR: 5.5

            """,
        ])
        let config = try ContentLoader(directory: good.root).load().config
        #expect(config.shipping == ShippingRules(freeOver: Money(minorUnits: 12000), zones: [
            .init(name: "Portugal", countries: ["PT"], rate: Money(minorUnits: 450)),
            .init(name: "World", countries: ["*"], rate: Money(minorUnits: 1800)),
        ]))
        #expect(config.tax == TaxRules(pricesIncludeTax: true, rates: ["PT": 2300, "FR": 550]))

        let bad = try TempContent([
            "site.yml": TempContent.site + """
            shipping:
              free_over: lots
              zones:
                - name: Iberia
                  countries: [PT, ES, XX]
                  rate: -1
                - name: Again
                  countries: [PT]
                  rate: 3
                  speed: fast
            tax:
              prices_include_tax: maybe
              rates:
                PT: 123
                ZZ: 5

            """,
        ])
        #expect(issues(bad) == [
            "content/site.yml:4: shipping.free_over: \"lots\" is not an amount like 4.50",
            "content/site.yml:7: shipping.zones.countries: \"XX\" is not an ISO 3166-1 country code such as PT or DE (or * for every other country)",
            "content/site.yml:8: shipping.zones.rate: \"-1\" is not an amount like 4.50",
            "content/site.yml:10: shipping.zones.countries: \"PT\" is already in the zone on line 7",
            "content/site.yml:12: shipping.zones.speed: unknown key; a zone has name, countries and rate",
            "content/site.yml:14: tax.prices_include_tax: \"maybe\" is not true or false",
            "content/site.yml:16: tax.rates.PT: \"123\" is not a percentage from 0 to 100 with at most 2 decimals",
            "content/site.yml:17: tax.rates: \"ZZ\" is not an ISO 3166-1 country code such as PT or DE",
        ])
    }

    @Test func draftsAreSkippedUnlessAsked() throws {
        let content = try TempContent([
            "site.yml": TempContent.site,
            "categories/tea.md": TempContent.category,
            "products/live.md": "---\nname: Live\ncategory: tea\nprice: 1\n---\n",
            "products/draft.md": "---\nname: Draft\ncategory: tea\nprice: 1\ndraft: true\n---\n",
        ])
        #expect(try ContentLoader(directory: content.root).load().products.map(\.slug) == ["live"])
        #expect(try ContentLoader(directory: content.root, includeDrafts: true).load().products.map(\.slug).sorted() == ["draft", "live"])
    }

    @Test func productsAreNewestFirstAndDateDefaultsToTheFileTime() throws {
        let content = try TempContent([
            "site.yml": TempContent.site,
            "categories/tea.md": TempContent.category,
            "products/old.md": "---\nname: Old\ncategory: tea\nprice: 1\ndate: 2020-05-01\n---\n",
            "products/new.md": "---\nname: New\ncategory: tea\nprice: 1\ndate: 2026-05-01\n---\n",
            "products/undated.md": "---\nname: Undated\ncategory: tea\nprice: 1\n---\n",
        ])
        let stamp = Date(timeIntervalSince1970: 1_700_000_000)  // 2023-11-14
        try FileManager.default.setAttributes([.modificationDate: stamp],
                                              ofItemAtPath: content.root.appendingPathComponent("products/undated.md").path)
        let products = try ContentLoader(directory: content.root).load().products
        #expect(products.map(\.slug) == ["new", "undated", "old"])
        #expect(products[1].date == "2023-11-14")
    }

    @Test func acceptsByteOrderMarkAndWindowsLineEndings() throws {
        let content = try TempContent(["site.yml": TempContent.site, "categories/tea.md": TempContent.category])
        try content.write("products/crlf.md", Data([0xEF, 0xBB, 0xBF]) + Data("---\r\nname: CRLF\r\ncategory: tea\r\nprice: 2\r\n---\r\nBody\r\n".utf8))
        let product = try #require(try ContentLoader(directory: content.root).load().products.first)
        #expect(product.name == "CRLF")
        #expect(product.descriptionMarkdown == "Body")
    }

    @Test func imagePathsCannotLeaveTheContentFolder() throws {
        let content = try TempContent([
            "site.yml": TempContent.site,
            "categories/tea.md": TempContent.category,
            "products/a.md": "---\nname: A\ncategory: tea\nprice: 1\nimage: ../secret.png\n---\n",
        ])
        #expect(issues(content) == [
            "content/products/a.md:5: image: \"../secret.png\" must be a path to a file under content/, like images/tea.jpg",
        ])
    }

    @Test func pagesCannotTakeReservedPaths() throws {
        let content = try TempContent(["site.yml": TempContent.site, "pages/cart.md": "---\ntitle: Cart\n---\n"])
        #expect(issues(content) == ["content/pages/cart.md:1: slug: \"cart\" is reserved for the shop's own pages; choose another"])
    }
}

@Suite struct KeySpellingTests {
    @Test func editDistanceCountsSwapsAsOneEdit() {
        #expect(KeySpelling.closest(to: "prcie", among: ["price", "stock"]) == "price")
        #expect(KeySpelling.closest(to: "stok", among: ["price", "stock"]) == "stock")
        #expect(KeySpelling.closest(to: "origin", among: ["price", "stock", "image"]) == nil)
        #expect(KeySpelling.closest(to: "mkr", among: ["maker"]) == nil)   // short keys: one edit at most
    }
}
