import Foundation
import Testing

/// `agora new product|person|page|category <slug>` (SPEC §6.10).
@Suite struct NewCommandTests {
    let cli = CommandLineTests()

    private func site() throws -> URL {
        let site = cli.temporaryFolder()
        #expect(try cli.agora(["init", site.path]).status == 0)
        return site
    }

    private func read(_ site: URL, _ path: String) throws -> String {
        try String(contentsOf: site.appendingPathComponent(path), encoding: .utf8)
    }

    @Test func eachKindIsCreatedFromTheThemesArchetypeAndBuilds() throws {
        let site = try site()
        let product = try cli.agora(["new", "product", "tea-caddy", "--category", "tea-coffee"], in: site)
        #expect(product.status == 0, "\(product.stderr)")
        // The demo sorts products into a folder per category, so the new one goes there too.
        #expect(product.stdout == "Created content/products/tea-coffee/tea-caddy.md (a draft until you set draft: false)\n")
        let text = try read(site, "content/products/tea-coffee/tea-caddy.md")
        #expect(text.contains("name: \"Tea caddy\"\nsku: TEA-CADDY\ncategory: tea-coffee\n"))
        #expect(text.contains("# image: images/products/tea-caddy.jpg"))  // the theme's archetype, not the built-in one
        #expect(text.contains("draft: true"))
        #expect(!text.contains("{{"))

        for (kind, slug, path) in [("person", "new_maker", "content/people/new_maker.md"), ("page", "faq", "content/pages/faq.md"),
                                   ("category", "lamps", "content/categories/lamps.md")] {
            let created = try cli.agora(["new", kind, slug], in: site)
            #expect(created.status == 0, "\(created.stderr)")
            #expect(created.stdout == "Created \(path)\n")
        }
        #expect(try read(site, "content/people/new_maker.md").contains("name: \"New maker\""))
        #expect(try read(site, "content/pages/faq.md").contains("title: \"Faq\""))

        let built = try cli.agora(["build", "--strict-links"], in: site)
        #expect(built.status == 0, "\(built.stderr)")
        #expect(FileManager.default.fileExists(atPath: site.appendingPathComponent("output/faq/index.html").path))
        #expect(FileManager.default.fileExists(atPath: site.appendingPathComponent("output/people/new_maker/index.html").path))
        #expect(FileManager.default.fileExists(atPath: site.appendingPathComponent("output/catalog/lamps/index.html").path))
        #expect(!FileManager.default.fileExists(atPath: site.appendingPathComponent("output/products/tea-caddy/index.html").path))
        #expect(try cli.agora(["build", "--drafts"], in: site).status == 0)
        #expect(FileManager.default.fileExists(atPath: site.appendingPathComponent("output/products/tea-caddy/index.html").path))
    }

    @Test func theSitesArchetypeWinsThenTheThemesThenTheBuiltInOne() throws {
        let site = try site()
        let archetypes = site.appendingPathComponent("archetypes")
        try FileManager.default.createDirectory(at: archetypes, withIntermediateDirectories: true)
        try "---\ntitle: \"{{ name }}\"\n---\nOur own page archetype, {{date}}.\n"
            .write(to: archetypes.appendingPathComponent("page.md"), atomically: true, encoding: .utf8)
        #expect(try cli.agora(["new", "page", "returns"], in: site).status == 0)
        let page = try read(site, "content/pages/returns.md")
        #expect(page.hasPrefix("---\ntitle: \"Returns\"\n---\nOur own page archetype, 20"))

        // A theme without archetypes: the built-in one.
        try FileManager.default.removeItem(at: site.appendingPathComponent("themes/default/archetypes"))
        #expect(try cli.agora(["new", "category", "lamps"], in: site).status == 0)
        #expect(try read(site, "content/categories/lamps.md") == "---\nname: \"Lamps\"\nweight: 100\n---\n\nWhat Lamps has in common.\n")
    }

    @Test func itRefusesToOverwriteAndExplainsBadInput() throws {
        let site = try site()
        let about = try read(site, "content/pages/about.md")
        let again = try cli.agora(["new", "page", "about"], in: site)
        #expect(again.status == 1)
        #expect(again.stderr == "agora: content/pages/about.md already exists; nothing was written\n")
        #expect(try read(site, "content/pages/about.md") == about)

        let cases: [([String], String)] = [
            (["new", "product", "lamp"], "choose the product's category with --category (known: ceramics, pantry, stationery, tea-coffee, textiles, woodwork)"),
            (["new", "product", "lamp", "--category", "lights"], "category \"lights\" does not exist"),
            (["new", "person", "Al"], "\"Al\" is not a username"),
            (["new", "page", "cart"], "\"cart\" is reserved for the shop's own pages"),
            (["new", "product", "Big Lamp", "--category", "ceramics"], "\"Big Lamp\" is not a slug"),
            (["new", "recipe", "soup"], "\"recipe\" is not a kind of content; choose product, person, page or category"),
        ]
        for (arguments, message) in cases {
            let result = try cli.agora(arguments, in: site)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
    }
}
