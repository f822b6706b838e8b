import AgoraContent
import AgoraMarkdown
import AgoraTheme
import Foundation

/// One file of the output and how to make it. Jobs are independent, so they run on all cores.
struct OutputJob: Sendable {
    enum Work: Sendable {
        /// An HTML page from a template; the context is built inside the job.
        case page(template: String, context: @Sendable () -> [String: Any])
        /// Text; with a fingerprint of everything it is made from, it is made only when that changed.
        case text(fingerprint: Fingerprint? = nil, make: @Sendable () throws -> String)
        case data(Data)
        case copy(URL)
    }

    let path: String
    let work: Work
    /// The products it shows, for an edit's patch (`PatchRecord`); nil when it shows none of a
    /// product's own values.
    var shows: Showing<String>?

    var isPage: Bool {
        if case .page = work { return true }
        return false
    }
}

/// Everything `agora build` writes, computed from the content: pages, lists, feeds, manifests,
/// copied files and theme assets (SPEC §3).
struct SitePlan {
    static let homeProductCount = 12
    static let homePeopleCount = 8
    static let peoplePerPage = 60

    let content: SiteContent
    let theme: Theme
    let contentDirectory: URL
    let chrome: PageChrome
    let generated: String

    /// Products that get a page and appear in lists.
    let listed: [ProductView]
    let productsByCategory: [String: [ProductView]]
    let productsByMaker: [String: [ProductView]]
    /// Every tag of a listed product, by name, with its products newest first.
    let tags: [TagGroup]
    /// People who get a page.
    let activePeople: [PersonView]
    /// `partials/product_card` and `partials/person_card` rendered once per item (Hugo's
    /// `partialCached`): a product appears in several lists, and rendering is the build's main cost.
    let productEntries: [String: ListEntry]
    let personEntries: [String: ListEntry]
    /// How many listed products each maker has, by username.
    let productCounts: [String: Int]
    /// `search.json`, built up front so the summary can report its size.
    let searchIndex: Data
    /// Where each of `listed` lies in `searchIndex`.
    let searchIndexRanges: [Range<Int>]
    /// Where each of `content.products` lies in `catalog.json`, once its job has made it.
    let catalogRanges = LockedRanges()
    /// Markdown and cards from the last build that are still valid.
    let memos: BuildMemos

    /// Thumbnails by content image path.
    let thumbnails: Thumbnails.Result

    /// `productCounts`, the number of products each maker has, defaults to what `content` holds;
    /// a patch's plan of a few products passes the whole site's.
    init(content: SiteContent, theme: Theme, contentDirectory: URL, generated: String, memos: BuildMemos = BuildMemos(),
         thumbnails: Thumbnails.Result = Thumbnails.Result(), productCounts: [String: Int]? = nil) {
        self.content = content
        self.memos = memos
        self.thumbnails = thumbnails
        self.theme = theme
        self.contentDirectory = contentDirectory
        self.generated = generated
        chrome = PageChrome(content: content, theme: theme)

        let placeholder = theme.assets.url(for: "no_image.png") ?? ""
        let categoryNames = Dictionary(content.categories.map { ($0.slug, $0.name) }, uniquingKeysWith: { a, _ in a })
        let people = Dictionary(content.people.map { ($0.username, $0) }, uniquingKeysWith: { a, _ in a })
        let symbol = content.config.currencySymbol
        let available = content.products.filter(\.available)
        let config = content.config
        listed = ParallelMap.map(available) { product in
            let description = memos.markdown.render(product.descriptionMarkdown, excerptLimit: 160)
            let maker = product.maker.flatMap { people[$0] }.map {
                PersonLink(username: $0.username, name: $0.name, url: $0.active ? SitePaths.person($0.username) : nil)
            }
            return ProductView(
                product: product, url: SitePaths.product(product.slug),
                imageURL: product.image.map(SitePaths.file) ?? placeholder,
                imageAbsoluteURL: config.absoluteURL(product.image.map(SitePaths.file) ?? placeholder),
                hasImage: product.image != nil, thumbnails: product.image.flatMap { thumbnails.thumbnails[$0] },
                display: product.image.flatMap { thumbnails.displays[$0] },
                descriptionHTML: description.html, excerpt: description.excerpt, links: description.links, bodyKey: description.key,
                priceDisplay: symbol + product.price.decimalString,
                categoryName: categoryNames[product.category] ?? product.category, maker: maker)
        }
        productsByCategory = Dictionary(grouping: listed, by: \.product.category)
        productsByMaker = Dictionary(grouping: listed.filter { $0.product.maker != nil }, by: { $0.product.maker ?? "" })
        tags = TagGroup.groups(listed)
        activePeople = ParallelMap.map(content.people.filter(\.active)) { person in
            let bio = memos.markdown.render(person.bioMarkdown, excerptLimit: 140)
            return PersonView(person: person, url: SitePaths.person(person.username),
                              photoURL: person.photo.map(SitePaths.file) ?? placeholder, hasPhoto: person.photo != nil,
                              thumbnails: person.photo.flatMap { thumbnails.thumbnails[$0] },
                              bioHTML: bio.html, excerpt: bio.excerpt, links: bio.links, bodyKey: bio.key, initials: Self.initials(person.name))
        }
        (searchIndex, searchIndexRanges) = SearchIndex.indexed(products: listed, people: activePeople, config: config)
        // Cards are rendered once, apart from any page, so they get the site-wide values themselves.
        let chrome = self.chrome
        productEntries = Self.listEntries(listed, key: \.product.sku, partial: "partials/product_card", theme: theme,
                                          shared: chrome.sharedValues, own: { $0.context() },
                                          ownKey: { $0.contextFingerprint() })
        let makerCounts = productCounts ?? productsByMaker.mapValues(\.count)
        self.productCounts = makerCounts
        personEntries = Self.listEntries(activePeople, key: \.person.username, partial: "partials/person_card", theme: theme,
                                         shared: chrome.sharedValues, own: {
            var values = $0.context()
            values["product_count"] = makerCounts[$0.person.username] ?? 0
            return values
        }, ownKey: { $0.contextFingerprint(productCount: makerCounts[$0.person.username] ?? 0) })
    }

    /// A product or person as lists show it (`card`: its own values, the site-wide ones and
    /// `card_html`) and its own values alone (`own`, for its page), each keyed by a digest.
    struct ListEntry: Sendable {
        let own: SharedValues
        let card: SharedValues
    }

    /// The entries of products or people, made once and hashed once for every list and page: a
    /// view's own values are hashed (`ownKey`, the fingerprint of what `own` makes), and the card's
    /// key is made from that digest, the site-wide values' and the partial's. A card is rendered
    /// when the first page that shows it is; until then its key is all an unchanged list needs.
    private static func listEntries<View: Sendable>(_ views: [View], key: @escaping @Sendable (View) -> String, partial: String,
                                                    theme: Theme, shared: [String: Any],
                                                    own: @escaping @Sendable (View) -> [String: Any],
                                                    ownKey: @escaping @Sendable (View) -> Fingerprint) -> [String: ListEntry] {
        let hasCard = theme.hasTemplate(partial)
        let digest = hasCard ? theme.templateDigest(partial) : 0
        let shared = UncheckedContext(values: shared)
        let sharedKey = Fingerprint.of(shared.values).description
        let entries = ParallelMap.map(views) { view in
            let ownValues = UncheckedContext(values: own(view))
            let ownKey = ownKey(view).description
            let cardKey = Fingerprint.of(texts: ["card 1", String(digest), ownKey, sharedKey]).description
            // The card sees its own values first, then the site-wide ones: layered, not merged into
            // a copy of the own values that every product would hold twice (merged only to render).
            let card = hasCard ? DeferredHTML(key: cardKey) {
                (try? theme.render(partial, ownValues.values.merging(shared.values) { own, _ in own })) ?? ""
            } : DeferredHTML("")
            return (key(view), ListEntry(own: SharedValues(ownValues.values, key: ownKey),
                                         card: SharedValues(ownValues.values, adding: ["card_html": card], below: shared.values,
                                                            key: cardKey)))
        }
        return Dictionary(entries, uniquingKeysWith: { first, _ in first })
    }

    private func cardContext(_ view: ProductView) -> SharedValues {
        productEntries[view.product.sku]?.card ?? SharedValues(view.context(), key: Fingerprint.of(view.context()).description)
    }

    private func cardContext(_ view: PersonView) -> SharedValues {
        personEntries[view.person.username]?.card ?? SharedValues(view.context(), key: Fingerprint.of(view.context()).description)
    }

    func jobs() -> [OutputJob] {
        var jobs: [OutputJob] = []
        jobs.append(homePage())
        jobs += listPages(listed, .catalog)
        for category in content.categories {
            jobs += listPages(productsByCategory[category.slug] ?? [], .category(slug: category.slug))
        }
        jobs += tagPages()
        jobs += listed.map(productPage)
        jobs += peoplePages()
        jobs += activePeople.map(profilePage)
        jobs += content.pages.map(contentPage)
        jobs.append(searchPage())
        jobs.append(notFoundPage())
        jobs += machineFiles(pageURLs: jobs.filter(\.isPage).map(\.path))
        jobs += content.staticFiles.map { OutputJob(path: $0.path, work: .copy(contentDirectory.appendingPathComponent($0.path))) }
        jobs += thumbnails.files.sorted { $0.key < $1.key }.map { OutputJob(path: $0.key, work: .copy($0.value)) }
        jobs += theme.assets.all.map { OutputJob(path: String($0.url.dropFirst()), work: .data($0.data)) }
        return jobs
    }

    // MARK: pages

    private func page(_ url: String, _ template: String, _ context: @escaping @Sendable () -> [String: Any]) -> OutputJob {
        OutputJob(path: SitePaths.outputFile(forPage: url), work: .page(template: template, context: context))
    }

    private func homePage() -> OutputJob {
        homePage(newest: Array(listed.prefix(Self.homeProductCount)), people: Array(activePeople.prefix(Self.homePeopleCount)),
                 tiles: content.categories.map {
                     CategoryTile(count: productsByCategory[$0.slug]?.count ?? 0,
                                          imageURL: productsByCategory[$0.slug]?.first?.imageURL)
                 })
    }

    /// The home page of these products and people, with a tile per category (in `content.categories`' order).
    func homePage(newest: [ProductView], people: [PersonView], tiles: [CategoryTile]) -> OutputJob {
        let categories = zip(content.categories, tiles).map { ($0, $1.count, $1.imageURL) }
        let placeholder = chrome.placeholderImage
        var job = page(SitePaths.home, "home") { [chrome, content, self] in
            chrome.context(title: nil, description: "\(content.config.title): \(content.categories.map(\.name).joined(separator: ", ")).",
                           url: SitePaths.home, section: "home", values: [
                "products": newest.map(cardContext),
                "categories": categories.map { category, count, image -> [String: Any] in
                    ["slug": category.slug, "name": category.name, "url": SitePaths.category(category.slug),
                     "count": count, "image_url": image ?? placeholder]
                },
                "people": people.map(cardContext), "has_people": !people.isEmpty,
            ])
        }
        job.shows = .home(products: newest.map(\.product.source.file), people: people.map(\.person.username),
                          productCounts: people.map { productCounts[$0.person.username] ?? 0 }, categories: tiles)
        return job
    }

    /// `/tags/` when the theme has a `tags` template, and a paginated list per tag like a category's.
    private func tagPages() -> [OutputJob] {
        var jobs: [OutputJob] = []
        if theme.hasTemplate("tags") {
            let tags = self.tags.map { (name: $0.name, slug: $0.slug, url: $0.url, count: $0.products.count) }
            jobs.append(page(SitePaths.tags, "tags") { [chrome] in
                let entries = tags.map { tag -> [String: Any] in ["name": tag.name, "slug": tag.slug, "url": tag.url, "count": tag.count] }
                return chrome.context(title: "Tags", description: "Every tag in \(chrome.config.title), with its products.",
                               url: SitePaths.tags, section: "tags",
                               values: ["tags": entries, "has_tags": !entries.isEmpty, "total": entries.count])
            })
        }
        for tag in tags {
            jobs += listPages(tag.products, .tag(name: tag.name))
        }
        return jobs
    }

    /// How a product list looks apart from its products: title, description, links.
    struct ListSpec: Sendable {
        let list: ShownList
        let title: String
        let heading: String
        let description: String
        let descriptionHTML: String
        let section: String
        let feedURL: String
        let url: @Sendable (Int) -> String
    }

    func listSpec(_ list: ShownList) -> ListSpec {
        switch list {
        case .catalog:
            return ListSpec(list: list, title: "Catalog", heading: "All products", description: "Everything in \(content.config.title).",
                            descriptionHTML: "", section: "catalog", feedURL: "", url: { SitePaths.catalog(page: $0) })
        case .category(let slug):
            let category = content.categories.first { $0.slug == slug }
            return ListSpec(list: list, title: category?.name ?? slug, heading: category?.name ?? slug,
                            description: category.map { memos.markdown.render($0.descriptionMarkdown, excerptLimit: 160).excerpt } ?? "",
                            descriptionHTML: category.map { Markdown.html($0.descriptionMarkdown.text) } ?? "", section: slug,
                            feedURL: SitePaths.categoryFeed(slug), url: { SitePaths.category(slug, page: $0) })
        case .tag(let name):
            return ListSpec(list: list, title: "Tagged “\(name)”", heading: "Tagged “\(name)”",
                            description: "Products tagged “\(name)” in \(content.config.title).", descriptionHTML: "",
                            section: "tags", feedURL: "", url: { SitePaths.tag(name, page: $0) })
        }
    }

    private func listPages(_ products: [ProductView], _ list: ShownList) -> [OutputJob] {
        let pages = Pagination.pages(products, size: content.config.productsPerPage)
        let spec = listSpec(list)
        return pages.enumerated().map { index, slice in
            listPage(spec, items: Array(slice), number: index + 1, pageCount: pages.count, total: products.count)
        }
    }

    /// Page `number` of a list, showing `items`.
    func listPage(_ spec: ListSpec, items: [ProductView], number: Int, pageCount: Int, total: Int) -> OutputJob {
        let pagination = Pagination(current: number, total: pageCount, url: spec.url)
        let isCategory: Bool, isTag: Bool
        switch spec.list {
        case .catalog: (isCategory, isTag) = (false, false)
        case .category: (isCategory, isTag) = (true, false)
        case .tag: (isCategory, isTag) = (false, true)
        }
        var job = page(spec.url(number), "list") { [chrome, self] in
            chrome.context(title: number > 1 ? "\(spec.title), page \(number)" : spec.title, description: spec.description,
                           url: spec.url(number), section: spec.section, values: [
                "heading": spec.heading, "description_html": spec.descriptionHTML, "is_category": isCategory,
                "is_tag": isTag, "feed_url": spec.feedURL,
                "products": items.map(cardContext), "has_products": !items.isEmpty, "total": total,
                "pagination": pagination.context(),
            ])
        }
        job.shows = .list(spec.list, number: number, pageCount: pageCount, total: total, products: items.map(\.product.source.file))
        return job
    }

    func productPage(_ view: ProductView) -> OutputJob {
        var job = page(view.url, "product") { [chrome, productEntries] in
            // The product's values, made and hashed once for its card, plus the JSON-LD: the page's
            // fingerprint reads their keys instead of hashing the product's values again.
            let own = productEntries[view.product.sku]?.own
                ?? SharedValues(view.context(), key: Fingerprint.of(view.context()).description)
            let jsonLD = StructuredData.product(view, config: chrome.config, valuesKey: own.key)
            let product = SharedValues(own.values, adding: ["json_ld": jsonLD], key: own.key + " " + jsonLD.key)
            return chrome.context(title: view.product.name, description: view.excerpt, url: view.url,
                                  section: view.product.category, image: view.imageAbsoluteURL, values: ["product": product])
        }
        job.shows = .product(view.product.source.file)
        return job
    }

    private func peoplePages() -> [OutputJob] {
        let pages = Pagination.pages(activePeople, size: Self.peoplePerPage)
        return pages.enumerated().map { index, slice in
            let number = index + 1
            let url = SitePaths.people(page: number)
            let pagination = Pagination(current: number, total: pages.count, url: { SitePaths.people(page: $0) })
            let items = Array(slice)
            return page(url, "people") { [chrome, self] in
                chrome.context(title: number > 1 ? "People, page \(number)" : "People",
                               description: "The makers and people of \(chrome.config.title).", url: url, section: "people",
                               values: [
                    "people": items.map(cardContext),
                    "pagination": pagination.context(),
                ])
            }
        }
    }

    private func profilePage(_ view: PersonView) -> OutputJob {
        profilePage(view, products: productsByMaker[view.person.username] ?? [])
    }

    /// A person's page, with the cards of the products they make.
    func profilePage(_ view: PersonView, products: [ProductView]) -> OutputJob {
        var job = page(view.url, "person") { [chrome, self] in
            var person = view.context()
            person["json_ld"] = StructuredData.person(view, config: chrome.config)
            person["products"] = products.map(cardContext)
            person["has_products"] = !products.isEmpty
            person["product_count"] = products.count
            return chrome.context(title: view.person.name, description: view.excerpt, url: view.url, section: "people",
                                  image: view.person.photo == nil ? nil : chrome.config.absoluteURL(view.photoURL),
                                  values: ["person": person])
        }
        job.shows = .profile(person: view.person.username, products: products.map(\.product.source.file))
        return job
    }

    private func contentPage(_ item: AgoraContent.Page) -> OutputJob {
        let html = Markdown.html(item.bodyMarkdown.text)
        let description = memos.markdown.render(item.bodyMarkdown, excerptLimit: 160).excerpt
        let url = SitePaths.page(item.slug)
        return page(url, "page") { [chrome] in
            chrome.context(title: item.title, description: description, url: url, section: item.slug, values: [
                "page": ["slug": item.slug, "title": item.title, "body_html": html,
                         "params": TemplateValue.params(item.params)] as [String: Any],
            ])
        }
    }

    /// `/search/`: results for `?q=` are filled in by the theme script from `search.json`.
    private func searchPage() -> OutputJob {
        page("/search/", "search") { [chrome] in
            chrome.context(title: "Search", description: "Search \(chrome.config.title).", url: "/search/", section: "search")
        }
    }

    /// Every Markdown body that is rendered on a page, for the link checker.
    func linkDocuments() -> [LinkChecker.Document] {
        var documents = listed.map {
            LinkChecker.Document(links: $0.links, body: $0.bodyKey, source: $0.product.source, pageURL: $0.url)
        }
        documents += content.categories.map {
            let description = memos.markdown.render($0.descriptionMarkdown, excerptLimit: 160)
            return LinkChecker.Document(links: description.links, body: description.key, source: $0.source,
                                        pageURL: SitePaths.category($0.slug))
        }
        documents += activePeople.map {
            LinkChecker.Document(links: $0.links, body: $0.bodyKey, source: $0.person.source, pageURL: $0.url)
        }
        documents += content.pages.map {
            let body = memos.markdown.render($0.bodyMarkdown, excerptLimit: 160)
            return LinkChecker.Document(links: body.links, body: body.key, source: $0.source, pageURL: SitePaths.page($0.slug))
        }
        return documents
    }

    private func notFoundPage() -> OutputJob {
        OutputJob(path: "404.html", work: .page(template: "404") { [chrome] in
            chrome.context(title: "Page not found", description: "This page does not exist.", url: "/404.html")
        })
    }

    // MARK: machine-readable files

    private func machineFiles(pageURLs: [String]) -> [OutputJob] {
        let config = content.config
        let lastModified = Dictionary(listed.map { ($0.url, $0.product.date) }, uniquingKeysWith: { a, _ in a })
        let entries = pageURLs.filter { $0 != "404.html" }.sorted().map { path -> Feeds.SitemapEntry in
            let url = "/" + String(path.dropLast("index.html".count))
            return Feeds.SitemapEntry(url: url, lastModified: lastModified[url])
        }
        let content = self.content
        let generated = self.generated
        let categoryFeeds = content.categories.map { feed(category: $0, products: productsByCategory[$0.slug] ?? []) }
        return categoryFeeds + [
            OutputJob(path: "sitemap.xml", work: .text { Feeds.sitemap(config, entries: entries) }),
            feed(category: nil, products: listed),
            OutputJob(path: "robots.txt", work: .text { Feeds.robots(config) }),
            OutputJob(path: "catalog.json", work: .text { [thumbnails, catalogRanges] in
                let catalog = try Manifests.indexedCatalog(content, generated: generated, thumbnails: thumbnails.thumbnails)
                catalogRanges.set(catalog.ranges)
                return String(decoding: catalog.data, as: UTF8.self)
            }),
            OutputJob(path: "people.json", work: .text { [thumbnails] in
                String(decoding: try Manifests.people(content, thumbnails: thumbnails.thumbnails), as: UTF8.self)
            }),
            OutputJob(path: "search.json", work: .data(searchIndex)),
        ]
    }

    /// The Atom feed of a category, or of the whole site with `category` nil: its newest products.
    func feed(category: Category?, products: [ProductView]) -> OutputJob {
        let config = content.config
        let generated = self.generated
        let entries = Array(products.prefix(Feeds.entryLimit))
        let channel = category.map {
            Feeds.Channel(title: "\($0.name) — \(config.title)", subtitle: "New in \($0.name)",
                          selfPath: SitePaths.categoryFeed($0.slug), pagePath: SitePaths.category($0.slug))
        } ?? .site(config)
        return OutputJob(path: String(channel.selfPath.dropFirst()),
                         work: .text(fingerprint: Feeds.atomFingerprint(config, channel, products: entries, updated: generated)) {
            Feeds.atom(config, channel, products: entries, updated: generated)
        }, shows: .feed(category: category?.slug, products: entries.map(\.product.source.file)))
    }

    private static func initials(_ name: String) -> String {
        String(name.split(separator: " ").prefix(2).compactMap(\.first)).uppercased()
    }
}
