import Foundation

/// Reads a content folder into a validated `SiteContent`, or throws `ContentIssues` listing every
/// problem in the folder at once (SPEC §2.1). Reads only; never writes.
public struct ContentLoader: Sendable {
    /// The content folder on disk.
    public let directory: URL
    /// How the folder is named in error lines, e.g. `content`.
    public let displayName: String
    public let includeDrafts: Bool

    public init(directory: URL, displayName: String = "content", includeDrafts: Bool = false) {
        self.directory = directory
        self.displayName = displayName
        self.includeDrafts = includeDrafts
    }

    public func load() throws(ContentIssues) -> SiteContent {
        var log = IssueLog()
        let listing: ContentListing
        do {
            listing = try ContentListing.scan(directory)
        } catch {
            throw ContentIssues([ContentIssue(file: displayName, line: 1, key: "content", message: "cannot be read: \(error.localizedDescription)")])
        }
        let config = loadConfig(listing, log: &log)
        for path in listing.strayMarkdown {
            log.add(display(path), 1, "file", "Markdown files belong in categories/, products/, people/ or pages/")
        }

        let categories = parseAll(listing.markdown(in: "categories", recursive: false), log: &log) { doc, stem, _, log in
            ItemParsers.category(&doc, stem: stem, log: &log)
        }
        let allProducts = parseAll(listing.markdown(in: "products", recursive: true), log: &log) { doc, stem, modified, log in
            ItemParsers.product(&doc, stem: stem, modified: modified, log: &log)
        }
        let people = parseAll(listing.markdown(in: "people", recursive: false), log: &log) { doc, stem, _, log in
            ItemParsers.person(&doc, stem: stem, log: &log)
        }
        let pages = parseAll(listing.markdown(in: "pages", recursive: false), log: &log) { doc, stem, _, log in
            ItemParsers.page(&doc, stem: stem, log: &log)
        }
        let products = (includeDrafts ? allProducts.items : allProducts.items.filter { !$0.draft })
        let staticFiles = listing.otherFiles.map(StaticFile.init(path:))

        let references = CrossReferences(staticFiles: Set(listing.otherFiles))
        references.check(categories: categories.keys, products: allProducts.keys.filter { includeDrafts || !$0.isDraft },
                         people: people.keys, pages: pages.keys, log: &log)

        guard log.isEmpty, let config else { throw ContentIssues(log.issues) }
        return SiteContent(
            config: config,
            categories: categories.items.sorted { ($0.weight, $0.name, $0.slug) < ($1.weight, $1.name, $1.slug) },
            products: products.sorted { ($1.date, $0.name, $0.sku) < ($0.date, $1.name, $1.sku) },
            people: people.items.sorted { ($0.name, $0.username) < ($1.name, $1.username) },
            pages: pages.items.sorted { $0.slug < $1.slug },
            staticFiles: staticFiles
        )
    }

    // MARK: steps

    private func loadConfig(_ listing: ContentListing, log: inout IssueLog) -> SiteConfig? {
        let file = display("site.yml")
        guard listing.hasSiteConfig else {
            log.add(file, 1, "site.yml", "is missing; it needs at least `title:` and `base_url:`")
            return nil
        }
        guard let data = try? Data(contentsOf: directory.appendingPathComponent("site.yml")),
              let text = SourceText.decode(data, file: file, log: &log) else {
            if log.isEmpty { log.add(file, 1, "site.yml", "cannot be read") }
            return nil
        }
        return SiteConfig.parse(text, file: file, log: &log)
    }

    /// Reads and parses files on all cores; results keep the listing's (sorted) order.
    private func parseAll<Item: Sendable>(
        _ files: [ContentListing.MarkdownFile],
        log: inout IssueLog,
        _ parse: @escaping @Sendable (inout FrontMatterDocument, String, String, inout IssueLog) -> Parsed<Item>
    ) -> (items: [Item], keys: [ItemKeys]) {
        let results = ParallelMap.map(files) { file -> (Parsed<Item>?, [ContentIssue]) in
            var fileLog = IssueLog()
            let shown = display(file.path)
            guard let data = try? Data(contentsOf: directory.appendingPathComponent(file.path)) else {
                return (nil, [ContentIssue(file: shown, line: 1, key: "file", message: "cannot be read")])
            }
            guard let text = SourceText.decode(data, file: shown, log: &fileLog),
                  var doc = FrontMatterDocument.parse(text, file: shown, log: &fileLog) else {
                return (nil, fileLog.issues)
            }
            let item = parse(&doc, file.stem, CalendarDate.string(from: file.modified), &fileLog)
            return (item, fileLog.issues)
        }
        var items: [Item] = []
        var keys: [ItemKeys] = []
        for (parsed, issues) in results {
            log.append(contentsOf: issues)
            if let item = parsed?.item { items.append(item) }
            if let parsed { keys.append(parsed.keys) }
        }
        return (items, keys)
    }

    private func display(_ relativePath: String) -> String {
        displayName.isEmpty ? relativePath : displayName + "/" + relativePath
    }
}
