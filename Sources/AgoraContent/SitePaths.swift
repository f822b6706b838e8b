/// The one place that knows each URL shape of the site; the generator and the server both use it.
/// Every URL is root-relative and every page URL ends in `/`.
public enum SitePaths {
    public static let home = "/"
    public static let people = "/people/"
    public static let catalogRoot = "/catalog/"

    public static func product(_ slug: String) -> String { "/products/\(slug)/" }
    public static func person(_ username: String) -> String { "/people/\(username)/" }
    public static func page(_ slug: String) -> String { "/\(slug)/" }
    /// A content file such as an image: `images/tea.jpg` → `/images/tea.jpg`.
    public static func file(_ path: String) -> String { "/" + path }

    /// `/catalog/`, `/catalog/page/2/`, …
    public static func catalog(page: Int = 1) -> String { paged(catalogRoot, page) }
    /// `/catalog/<slug>/`, `/catalog/<slug>/page/2/`, …
    public static func category(_ slug: String, page: Int = 1) -> String { paged("/catalog/\(slug)/", page) }
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
