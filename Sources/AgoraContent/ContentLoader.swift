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
        try load(reusing: ParsedFiles()).content
    }

    /// Loads the folder with what `previous` knows: a Markdown file whose stamp is as it was (and
    /// settled, see `FileStamp.settled`) is not read at all, its body read later only if needed
    /// (`MarkdownBody`); a file read whose front matter is unchanged is not parsed again. Checks
    /// across files (duplicates, references) always run on the whole folder, so reused files
    /// cannot hide a problem.
    public func load(reusing previous: ParsedFiles) throws(ContentIssues) -> ContentLoad {
        var log = IssueLog()
        var parsed = ParsedFiles()
        // Taken before the listing, so that a file changed while it runs is not trusted next time.
        parsed.listedAt = Int64(Date().timeIntervalSince1970 * 1_000_000_000)
        let listedBefore = previous.listedAt
        let listing: ContentListing
        do {
            listing = try ContentListing.scan(directory)
        } catch {
            throw ContentIssues([ContentIssue(file: displayName, line: 1, key: "content", message: "cannot be read: \(error.localizedDescription)")])
        }
        var warnings: [ContentIssue] = []
        let config = loadConfig(listing, log: &log, warnings: &warnings)
        for path in listing.strayMarkdown {
            log.add(display(path), 1, "file", "Markdown files belong in categories/, products/, people/ or pages/")
        }

        let categories = parseAll(listing.markdown(in: "categories", recursive: false), previous: previous.categories,
                                  listedAt: listedBefore, into: &parsed.categories, log: &log) { doc, stem, _, log in
            ItemParsers.category(&doc, stem: stem, log: &log)
        }
        let allProducts = parseAll(listing.markdown(in: "products", recursive: true), previous: previous.products,
                                   listedAt: listedBefore, into: &parsed.products, log: &log) { doc, stem, modified, log in
            ItemParsers.product(&doc, stem: stem, modified: modified, log: &log)
        }
        let people = parseAll(listing.markdown(in: "people", recursive: false), previous: previous.people,
                              listedAt: listedBefore, into: &parsed.people, log: &log) { doc, stem, _, log in
            ItemParsers.person(&doc, stem: stem, log: &log)
        }
        let pages = parseAll(listing.markdown(in: "pages", recursive: false), previous: previous.pages,
                             listedAt: listedBefore, into: &parsed.pages, log: &log) { doc, stem, _, log in
            ItemParsers.page(&doc, stem: stem, log: &log)
        }
        let products = (includeDrafts ? allProducts.items : allProducts.items.filter { !$0.draft })
        let staticFiles = listing.otherFiles.map(StaticFile.init(path:))

        let references = CrossReferences(staticFiles: Set(listing.otherFiles))
        references.check(categories: categories.keys, products: allProducts.keys.filter { includeDrafts || !$0.isDraft },
                         people: people.keys, pages: pages.keys, log: &log)

        guard log.isEmpty, let config else { throw ContentIssues(log.issues) }
        let content = Self.content(config: config, categories: categories.items, products: products, people: people.items,
                                   pages: pages.items, staticFiles: staticFiles)
        let reused = [categories.reused, allProducts.reused, people.reused, pages.reused].reduce(0, +)
        let unread = [categories.unread, allProducts.unread, people.unread, pages.unread].reduce(0, +)
        warnings += (categories.keys + allProducts.keys + people.keys + pages.keys).flatMap(\.warnings)
        return ContentLoad(content: content, parsed: parsed, filesParsed: listing.markdownFiles.count - reused,
                           filesRead: listing.markdownFiles.count - unread, warnings: warnings.sorted())
    }

    /// The site of these items, each kind in the site's order.
    public static func content(config: SiteConfig, categories: [Category], products: [Product], people: [Person],
                               pages: [Page], staticFiles: [StaticFile] = []) -> SiteContent {
        SiteContent(
            config: config,
            categories: categories.sorted { ($0.weight, $0.name, $0.slug) < ($1.weight, $1.name, $1.slug) },
            products: products.sorted(by: Self.newestFirst),
            people: people.sorted { ($0.name, $0.username) < ($1.name, $1.username) },
            pages: pages.sorted { $0.slug < $1.slug },
            staticFiles: staticFiles
        )
    }

    /// Newest first, then by name and SKU. Field by field rather than as tuples: a tuple of the
    /// two products' strings was made, retaining each, for every comparison of 10,000 products.
    static func newestFirst(_ left: Product, _ right: Product) -> Bool {
        if left.date != right.date { return left.date > right.date }
        if left.name != right.name { return left.name < right.name }
        return left.sku < right.sku
    }

    // MARK: steps

    private func loadConfig(_ listing: ContentListing, log: inout IssueLog, warnings: inout [ContentIssue]) -> SiteConfig? {
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
        return SiteConfig.parse(text, file: file, log: &log, warnings: &warnings)
    }

    /// Reads and parses files on all cores; results keep the listing's (sorted) order. A file whose
    /// settled stamp is as in `previous` (listed at `listedAt`) is taken from there unread, its
    /// body to be read when needed; a file whose front matter is as in `previous` takes its parse
    /// result from there with its body read anew; every valid file is recorded in `cache`.
    private func parseAll<Item: ContentItem>(
        _ files: [ContentListing.MarkdownFile],
        previous: [String: ParsedFile<Item>],
        listedAt: Int64,
        into cache: inout [String: ParsedFile<Item>],
        log: inout IssueLog,
        _ parse: @escaping @Sendable (inout FrontMatterDocument, String, String, inout IssueLog) -> Parsed<Item>
    ) -> (items: [Item], keys: [ItemKeys], reused: Int, unread: Int) {
        // Paths joined as strings: `URL.appendingPathComponent` for each of 12,000 files was 2.7 %
        // of a one-product edit.
        let root = directory.standardizedFileURL.path
        let results = ParallelMap.map(files) { file -> FileResult<Item> in
            let path = root.hasSuffix("/") ? root + file.path : root + "/" + file.path
            if let earlier = previous[file.path], earlier.stamp == file.stamp, file.stamp.settled(before: listedAt) {
                let body = MarkdownBody(digest: earlier.bodyDigest, file: path)
                return FileResult(parsed: Parsed(item: earlier.item.with(body: body), keys: earlier.keys), key: earlier.key,
                                  reused: true, unread: true)
            }
            return readAndParse(file, path: path, previous: previous[file.path], parse)
        }
        var items: [Item] = []
        var keys: [ItemKeys] = []
        var reused = 0
        var unread = 0
        for (file, result) in zip(files, results) {
            log.append(contentsOf: result.issues)
            guard let parsed = result.parsed else { continue }
            keys.append(parsed.keys)
            guard let item = parsed.item else { continue }
            items.append(item)
            if let key = result.key, result.issues.isEmpty {
                cache[file.path] = ParsedFile(key: key, stamp: file.stamp, bodyDigest: item.body.digest, item: item.with(body: .empty),
                                              keys: parsed.keys)
            }
            if result.reused { reused += 1 }
            if result.unread { unread += 1 }
        }
        return (items, keys, reused, unread)
    }

    /// Reads one file and parses it, unless its front matter is as in `earlier` (then only its
    /// body is taken anew).
    private func readAndParse<Item: ContentItem>(
        _ file: ContentListing.MarkdownFile, path: String, previous earlier: ParsedFile<Item>?,
        _ parse: @Sendable (inout FrontMatterDocument, String, String, inout IssueLog) -> Parsed<Item>
    ) -> FileResult<Item> {
        var fileLog = IssueLog()
        let shown = display(file.path)
        guard let data = FileManager.default.contents(atPath: path) else {
            return FileResult(issues: [ContentIssue(file: shown, line: 1, key: "file", message: "cannot be read")])
        }
        guard let text = SourceText.decode(data, file: shown, log: &fileLog),
              let parts = FrontMatterDocument.split(text, file: shown, log: &fileLog) else {
            return FileResult(issues: fileLog.issues)
        }
        let modified = CalendarDate.string(from: file.modified)
        let key = FrontMatterKey(yaml: parts.yaml, modifiedDay: modified)
        if let earlier, earlier.key == key {
            return FileResult(parsed: Parsed(item: earlier.item.with(body: MarkdownBody(parts.body)), keys: earlier.keys),
                              key: key, reused: true)
        }
        guard var doc = FrontMatterDocument.parse(parts, file: shown, log: &fileLog) else {
            return FileResult(issues: fileLog.issues)
        }
        var item = parse(&doc, file.stem, modified, &fileLog)
        item.keys.warnings = doc.fields.unknownKeyWarnings()
        return FileResult(parsed: item, key: key, issues: fileLog.issues)
    }

    // MARK: chosen files

    /// Some files of the folder, parsed as `load(reusing:)` parses them.
    public struct ChosenFiles: Sendable {
        public var config: SiteConfig?
        public var categories: [Category] = []
        public var products: [Product] = []
        public var people: [Person] = []
        public var pages: [Page] = []
        /// Front-matter warnings by file (as shown in messages), for the files that have any.
        public var warnings: [String: [ContentIssue]] = [:]
    }

    /// The chosen files (relative paths), each read and parsed as `load(reusing:)` would, but
    /// without listing the folder or the checks across files: for a rebuild that already knows
    /// the folder's files and that only some of them changed. Nil when any of them (or
    /// `site.yml`, with `config`) has a problem: a full load reports it, with every other one.
    public func parse(config: Bool = false, categories: [String] = [], products: [String] = [], people: [String] = [],
                      pages: [String] = []) -> ChosenFiles? {
        var chosen = ChosenFiles()
        if config {
            var log = IssueLog()
            var warnings: [ContentIssue] = []
            guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent("site.yml").path),
                  let text = SourceText.decode(data, file: display("site.yml"), log: &log),
                  let parsed = SiteConfig.parse(text, file: display("site.yml"), log: &log, warnings: &warnings),
                  log.isEmpty else { return nil }
            chosen.config = parsed
        }
        func each<Item: ContentItem>(_ paths: [String],
                                     _ parse: @escaping @Sendable (inout FrontMatterDocument, String, String, inout IssueLog) -> Parsed<Item>)
            -> [Item]? {
            let root = directory.standardizedFileURL.path
            let results = ParallelMap.map(paths) { relative -> FileResult<Item> in
                let path = root + "/" + relative
                let stamp = FileStamp.of(path)
                let name = relative.lastIndex(of: "/").map { String(relative[relative.index(after: $0)...]) } ?? relative
                let file = ContentListing.MarkdownFile(
                    path: relative, stem: String(name.dropLast(3)),
                    modified: Date(timeIntervalSince1970: TimeInterval(stamp.modified / 1_000_000_000)), stamp: stamp)
                return readAndParse(file, path: path, previous: nil, parse)
            }
            var items: [Item] = []
            for (relative, result) in zip(paths, results) {
                guard result.issues.isEmpty, let parsed = result.parsed, let item = parsed.item else { return nil }
                if !parsed.keys.warnings.isEmpty { chosen.warnings[display(relative)] = parsed.keys.warnings }
                items.append(item)
            }
            return items
        }
        guard let categories = each(categories, { doc, stem, _, log in ItemParsers.category(&doc, stem: stem, log: &log) }),
              let products = each(products, { doc, stem, modified, log in
                  ItemParsers.product(&doc, stem: stem, modified: modified, log: &log) }),
              let people = each(people, { doc, stem, _, log in ItemParsers.person(&doc, stem: stem, log: &log) }),
              let pages = each(pages, { doc, stem, _, log in ItemParsers.page(&doc, stem: stem, log: &log) })
        else { return nil }
        chosen.categories = categories
        chosen.products = products
        chosen.people = people
        chosen.pages = pages
        return chosen
    }

    private func display(_ relativePath: String) -> String {
        displayName.isEmpty ? relativePath : displayName + "/" + relativePath
    }
}

/// One file's outcome in `ContentLoader.parseAll`.
private struct FileResult<Item: Sendable>: Sendable {
    var parsed: Parsed<Item>?
    var key: FrontMatterKey?
    var issues: [ContentIssue] = []
    var reused = false
    /// Taken from the earlier results by its stamp, without reading the file.
    var unread = false
}
