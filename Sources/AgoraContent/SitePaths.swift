/// The one place that knows each URL shape of the site; the generator and the server both use it.
/// Every URL is root-relative and every page URL ends in `/`.
public enum SitePaths {
    public static let home = "/"
    public static let people = "/people/"
    public static let catalogRoot = "/catalog/"
    public static let tags = "/tags/"

    public static func product(_ slug: String) -> String { "/products/\(slug)/" }
    public static func person(_ username: String) -> String { "/people/\(username)/" }
    public static func page(_ slug: String) -> String { "/\(slug)/" }
    /// A content file such as an image: `images/tea.jpg` → `/images/tea.jpg`.
    public static func file(_ path: String) -> String { "/" + path }

    /// `/catalog/`, `/catalog/page/2/`, …
    public static func catalog(page: Int = 1) -> String { paged(catalogRoot, page) }
    /// `/catalog/<slug>/`, `/catalog/<slug>/page/2/`, …
    public static func category(_ slug: String, page: Int = 1) -> String { paged("/catalog/\(slug)/", page) }
    /// The Atom feed of one category's newest products.
    public static func categoryFeed(_ slug: String) -> String { "/catalog/\(slug)/feed.xml" }
    /// `/tags/<slug>/`, `/tags/<slug>/page/2/`, … for a tag as written in content ("Green tea" → `green-tea`).
    public static func tag(_ name: String, page: Int = 1) -> String { paged("/tags/\(tagSlug(name))/", page) }

    /// A tag's URL segment: lower case, runs of anything but ASCII letters and digits become one `-`.
    /// Tags that differ only in case or punctuation share a page. Empty for a tag with no letters or digits.
    public static func tagSlug(_ name: String) -> String {
        var slug = ""
        var pendingDash = false
        for scalar in name.lowercased().unicodeScalars {
            if scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                if pendingDash, !slug.isEmpty { slug.append("-") }
                pendingDash = false
                slug.unicodeScalars.append(scalar)
            } else {
                pendingDash = true
            }
        }
        return slug
    }

    /// `/people/`, `/people/page/2/`, …
    public static func people(page: Int) -> String { paged(people, page) }

    /// The file in the output folder that serves a page URL: `/a/b/` → `a/b/index.html`.
    public static func outputFile(forPage url: String) -> String {
        let trimmed = url.drop(while: { $0 == "/" })
        return trimmed.isEmpty ? "index.html" : trimmed + "index.html"
    }

    private static func paged(_ base: String, _ page: Int) -> String {
        page <= 1 ? base : "\(base)page/\(page)/"
    }
}
