/// What `stat` says of a file that tells whether it changed: size, modification and change
/// times, inode. The change time (`ctime`) catches a file edited and then given its old
/// modification time back; the inode, a file replaced by another.
public struct FileStamp: Hashable, Sendable {
    public let size: Int64
    /// Nanoseconds since 1970.
    public let modified: Int64
    /// Nanoseconds since 1970.
    public let changed: Int64
    public let inode: UInt64

    public init(size: Int64, modified: Int64, changed: Int64 = 0, inode: UInt64 = 0) {
        self.size = size
        self.modified = modified
        self.changed = changed
        self.inode = inode
    }

    /// Nanoseconds since 1970 of the later of the two times.
    public var latest: Int64 { max(modified, changed) }

    /// Whether the stamp can be trusted by a build that looked at it at `taken` (nanoseconds since
    /// 1970): file times come from a coarse clock, so a file written in the same tick as that look
    /// and again just after it could show the same stamp twice ("racy" in git's words). A file
    /// touched within a second of the look is read and compared by content instead.
    public func settled(before taken: Int64) -> Bool {
        latest < taken - 1_000_000_000
    }

    /// The stamp of the file at `path`; size -1 when it cannot be read.
    public static func of(_ path: String) -> FileStamp {
        ContentListing.fileStamp(path)
    }
}

/// What a file's parsed front matter depends on: the YAML text, and the file's modification day
/// (a product's default `date`). Equal keys give equal parse results.
struct FrontMatterKey: Hashable, Sendable {
    let yamlHash: UInt64
    let yamlLength: Int
    let modifiedDay: String

    init(yaml: String, modifiedDay: String) {
        yamlHash = ContentHash.fnv1a64(yaml.utf8)
        yamlLength = yaml.utf8.count
        self.modifiedDay = modifiedDay
    }
}

/// An item whose Markdown body is kept out of the cache: the body is read from the file again
/// on every load (reading is cheap; parsing YAML is not), so the cache stays small.
protocol ContentItem: BinaryCodable, Sendable {
    var body: MarkdownBody { get }
    func with(body: MarkdownBody) -> Self
}

/// One valid content file as an earlier load parsed it, without its body: the file's stamp and
/// its body's digest stand for them.
struct ParsedFile<Item: ContentItem>: Sendable {
    let key: FrontMatterKey
    let stamp: FileStamp
    let bodyDigest: MarkdownBody.Digest
    let item: Item
    let keys: ItemKeys
}

/// Every valid Markdown file of a content folder, parsed, keyed by path. Kept between builds in
/// the build cache so that a rebuild reads only the files whose stamps changed and parses the YAML
/// (most of loading a large site) only of the files whose front matter changed. Files with
/// problems are never kept: they are parsed again and report their problems on every load.
public struct ParsedFiles: Sendable {
    /// When the folder was listed for these results, in nanoseconds since 1970 (see `FileStamp.settled`).
    var listedAt: Int64 = 0
    var categories: [String: ParsedFile<Category>] = [:]
    var products: [String: ParsedFile<Product>] = [:]
    var people: [String: ParsedFile<Person>] = [:]
    var pages: [String: ParsedFile<Page>] = [:]

    public init() {}
}

/// What `ContentLoader.load(reusing:)` gives back besides the content.
public struct ContentLoad: Sendable {
    public let content: SiteContent
    /// The parse results to hand to the next load.
    public let parsed: ParsedFiles
    /// Markdown files parsed by this load; the others came from the earlier results.
    public let filesParsed: Int
    /// Markdown files read by this load; the others were known unchanged by their stamps.
    public let filesRead: Int
    /// Keys that look like typos of known ones, in file and line order (`file:line: stok: unknown
    /// key (did you mean "stock"?)`); the build goes on.
    public let warnings: [ContentIssue]
}

extension Category: ContentItem {
    var body: MarkdownBody { descriptionMarkdown }
    func with(body: MarkdownBody) -> Category {
        Category(slug: slug, name: name, weight: weight, descriptionMarkdown: body, params: params, source: source)
    }
}

extension Product: ContentItem {
    var body: MarkdownBody { descriptionMarkdown }
    func with(body: MarkdownBody) -> Product {
        Product(sku: sku, slug: slug, name: name, category: category, price: price, stock: stock, available: available,
                image: image, maker: maker, date: date, draft: draft, tags: tags, descriptionMarkdown: body,
                params: params, source: source)
    }
}

extension Person: ContentItem {
    var body: MarkdownBody { bioMarkdown }
    func with(body: MarkdownBody) -> Person {
        Person(username: username, name: name, photo: photo, location: location, website: website, active: active,
               bioMarkdown: body, params: params, source: source)
    }
}

extension Page: ContentItem {
    var body: MarkdownBody { bodyMarkdown }
    func with(body: MarkdownBody) -> Page {
        Page(slug: slug, title: title, bodyMarkdown: body, params: params, source: source)
    }
}
