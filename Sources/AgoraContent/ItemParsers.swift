/// Turning one parsed front-matter document into a content item. Each function reports every
/// problem of its own file; references between files are checked later by `CrossReferences`.
enum ItemParsers {
    /// Top-level paths the site or the server owns; a page cannot take them.
    static let reservedPageSlugs: Set<String> = [
        "catalog", "products", "people", "assets", "cart", "orders", "account", "admin", "api", "ranking",
        "healthz", "metrics", "page", "search", "tags",
    ]

    static func category(_ doc: inout FrontMatterDocument, stem: String, log: inout IssueLog) -> Parsed<Category> {
        let file = doc.fields.file
        let before = log.issues.count
        let name = doc.fields.string("name", required: true, maxLength: 200, log: &log)
        let slug = slugField(&doc.fields, key: "slug", stem: stem, log: &log)
        if slug == "page" {
            log.add(file, doc.fields.line(of: "slug"), "slug", "\"page\" is reserved for catalog pagination; choose another")
        }
        let weight = doc.fields.int("weight", in: Int(Int32.min)...Int(Int32.max), log: &log) ?? 0
        let keys = ItemKeys(location: doc.location, values: ["slug": slug])
        guard log.issues.count == before, let name, let slug else { return Parsed(item: nil, keys: keys) }
        return Parsed(item: Category(slug: slug, name: name, weight: weight, descriptionMarkdown: MarkdownBody(doc.body),
                                     params: doc.fields.params(), source: doc.location), keys: keys)
    }

    static func product(_ doc: inout FrontMatterDocument, stem: String, modified: String, log: inout IssueLog) -> Parsed<Product> {
        let file = doc.fields.file
        let before = log.issues.count
        let name = doc.fields.string("name", required: true, maxLength: 200, log: &log)
        let slug = slugField(&doc.fields, key: "slug", stem: stem, log: &log)
        var sku = doc.fields.string("sku", log: &log)
        if let given = sku, !Identifier.isSKU(given) {
            log.add(file, doc.fields.line(of: "sku"), "sku", "\(quoted(given)) is not a valid sku ([A-Za-z0-9._-], 1 to 64 characters)")
            sku = nil
        }
        let category = doc.fields.string("category", required: true, log: &log)
        let price = doc.fields.money("price", required: true, log: &log)
        let stock = doc.fields.int("stock", in: 0...1_000_000_000, log: &log) ?? 0
        let available = doc.fields.bool("available", log: &log) ?? true
        let image = contentPath(&doc.fields, key: "image", log: &log)
        let maker = doc.fields.string("maker", log: &log)
        let date = doc.fields.date("date", log: &log) ?? modified
        let draft = doc.fields.bool("draft", log: &log) ?? false
        let tagsLine = doc.fields.line(of: "tags")
        let tags = doc.fields.stringList("tags", log: &log) ?? []
        for tag in tags where SitePaths.tagSlug(tag).isEmpty {
            log.add(file, tagsLine, "tags", "\(quoted(tag)) has no letters or digits, so it cannot have a page; write it in words")
        }
        let keys = ItemKeys(location: doc.location, values: [
            "slug": slug, "sku": sku ?? slug, "category": category, "maker": maker, "image": image,
        ], isDraft: draft)
        guard log.issues.count == before, let name, let slug, let category, let price else { return Parsed(item: nil, keys: keys) }
        return Parsed(item: Product(sku: sku ?? slug, slug: slug, name: name, category: category, price: price, stock: stock,
                                    available: available, image: image, maker: maker, date: date, draft: draft, tags: tags,
                                    descriptionMarkdown: MarkdownBody(doc.body), params: doc.fields.params(), source: doc.location),
                      keys: keys)
    }

    static func person(_ doc: inout FrontMatterDocument, stem: String, log: inout IssueLog) -> Parsed<Person> {
        let file = doc.fields.file
        let before = log.issues.count
        let username = doc.fields.string("username", log: &log) ?? stem
        if !Identifier.isUsername(username) {
            let origin = doc.fields.has("username") ? "" : " (from the file name)"
            log.add(file, doc.fields.line(of: "username"), "username",
                    "\(quoted(username))\(origin) is not a valid username ([a-z0-9_-], 3 to 30 characters)")
        }
        let name = doc.fields.string("name", required: true, maxLength: 200, log: &log)
        let photo = contentPath(&doc.fields, key: "photo", log: &log)
        let location = doc.fields.string("location", maxLength: 200, log: &log)
        let website = doc.fields.string("website", log: &log)
        if let website, !SiteConfig.isAbsoluteHTTPURL(website) {
            log.add(file, doc.fields.line(of: "website"), "website", "\(quoted(website)) is not an http(s) URL")
        }
        let active = doc.fields.bool("active", log: &log) ?? true
        let keys = ItemKeys(location: doc.location, values: ["username": username, "photo": photo])
        guard log.issues.count == before, let name else { return Parsed(item: nil, keys: keys) }
        return Parsed(item: Person(username: username, name: name, photo: photo, location: location, website: website,
                                   active: active, bioMarkdown: MarkdownBody(doc.body), params: doc.fields.params(), source: doc.location),
                      keys: keys)
    }

    static func page(_ doc: inout FrontMatterDocument, stem: String, log: inout IssueLog) -> Parsed<Page> {
        let file = doc.fields.file
        let before = log.issues.count
        let title = doc.fields.string("title", required: true, maxLength: 200, log: &log)
        let slug = slugField(&doc.fields, key: "slug", stem: stem, log: &log)
        if let slug, reservedPageSlugs.contains(slug) {
            log.add(file, doc.fields.line(of: "slug"), "slug", "\(quoted(slug)) is reserved for the shop's own pages; choose another")
        }
        let keys = ItemKeys(location: doc.location, values: ["slug": slug])
        guard log.issues.count == before, let title, let slug else { return Parsed(item: nil, keys: keys) }
        return Parsed(item: Page(slug: slug, title: title, bodyMarkdown: MarkdownBody(doc.body), params: doc.fields.params(),
                                 source: doc.location), keys: keys)
    }

    // MARK: shared fields

    private static func slugField(_ fields: inout FieldReader, key: String, stem: String, log: inout IssueLog) -> String? {
        let given = fields.string(key, log: &log)
        let slug = given ?? stem
        guard Identifier.isSlug(slug) else {
            let origin = given == nil ? " (from the file name; add a slug: line or rename the file)" : ""
            log.add(fields.file, fields.line(of: key), key, "\(quoted(slug))\(origin) is not a valid slug ([a-z0-9-], 1 to 200 characters)")
            return nil
        }
        return slug
    }

    /// A path to a file under `content/`, written with or without a leading `/`.
    private static func contentPath(_ fields: inout FieldReader, key: String, log: inout IssueLog) -> String? {
        guard let raw = fields.string(key, log: &log) else { return nil }
        let path = raw.hasPrefix("/") ? String(raw.dropFirst()) : raw
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
        if path.isEmpty || path.contains("://") || components.contains(where: { $0 == ".." || $0 == "." || $0.isEmpty }) {
            log.add(fields.file, fields.line(of: key), key, "\(quoted(raw)) must be a path to a file under content/, like images/tea.jpg")
            return nil
        }
        return path
    }
}

/// A parsed file: the item when the file is valid, and its keys and references in any case, so
/// that checks across files (duplicates, dangling references) also cover files with other errors.
struct Parsed<Item: Sendable>: Sendable {
    let item: Item?
    var keys: ItemKeys
}

/// The identifying and referencing values of one file (`slug`, `sku`, `category`, `maker`, …).
struct ItemKeys: Sendable {
    let location: SourceLocation
    let values: [String: String]
    var isDraft = false
    /// Keys that look like typos of known ones (warnings, not errors).
    var warnings: [ContentIssue] = []

    init(location: SourceLocation, values: [String: String?], isDraft: Bool = false) {
        self.location = location
        self.values = values.compactMapValues { $0 }
        self.isDraft = isDraft
    }

    subscript(key: String) -> String? { values[key] }
}
