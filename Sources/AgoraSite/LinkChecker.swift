import AgoraContent
import AgoraMarkdown
import Foundation

/// Internal links in Markdown bodies, resolved against the files the build produces (SPEC §3.3).
/// External links are never fetched.
struct LinkChecker: Sendable {
    /// The links of a rendered Markdown body, what stands for the body (`RenderedMarkdown.key`),
    /// where it came from and the URL of the page that shows it.
    struct Document: Sendable {
        let links: [MarkdownLink]
        let body: Fingerprint
        let source: SourceLocation
        let pageURL: String
    }

    /// Paths the live server answers; content may link to them although no file exists.
    static let serverPrefixes = ["/cart/", "/orders/", "/account/", "/admin/", "/api/", "/ranking/"]

    /// Output paths, relative: `products/tea/index.html`, `images/tea.png`, `feed.xml`.
    let outputs: Set<String>
    /// Stands for the outputs: a document's broken links are the same while it and they are.
    let outputsKey: Fingerprint

    /// `outputs` in the order the build makes them (any fixed order gives a fixed key).
    init(outputs: [String]) {
        self.outputs = Set(outputs)
        outputsKey = Fingerprint.of(texts: outputs)
    }

    /// The broken links of every document, sorted. A document whose body, place and page are as in
    /// the last build, among the same outputs, takes its result from `memo` (most of an edit's link
    /// checking was checking again what had not changed).
    func brokenLinks(in documents: [Document], memo: Memo<[ContentIssue]> = Memo()) -> [ContentIssue] {
        let found = ParallelMap.map(documents) { document -> [ContentIssue] in
            guard !document.links.isEmpty else { return [] }
            let key = Fingerprint.of(texts: [outputsKey.description, document.body.description, document.source.file,
                                             String(document.source.bodyStartLine), document.pageURL])
            return memo.value(for: key) {
                document.links.compactMap { link in
                    guard let exists = resolves(link.destination, from: document.pageURL), !exists else { return nil }
                    return ContentIssue(file: document.source.file, line: document.source.bodyStartLine + link.line - 1,
                                        key: "link", message: "\(link.destination) does not exist")
                }
            }
        }
        return found.flatMap { $0 }.sorted()
    }

    /// Whether an internal link leads to something; nil for links that are not checked
    /// (other schemes, other hosts, fragments within the page).
    func resolves(_ destination: String, from pageURL: String) -> Bool? {
        var path = destination
        if let cut = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = String(path[..<cut]) }
        if path.isEmpty || path.hasPrefix("//") || Self.hasScheme(path) { return nil }
        // Without a `%` there is nothing to decode (Foundation's decoding was a quarter of the checking).
        if path.utf8.contains(UInt8(ascii: "%")) { path = path.removingPercentEncoding ?? path }
        if !path.hasPrefix("/") { path = Self.directory(of: pageURL) + path }
        guard let normalized = Self.isNormal(path) ? path : Self.normalize(path) else { return false }
        if Self.serverPrefixes.contains(where: { normalized.hasPrefix($0) || normalized + "/" == $0 }) { return true }
        let relative = String(normalized.dropFirst())
        if normalized.hasSuffix("/") { return outputs.contains(relative + "index.html") }
        return outputs.contains(relative) || outputs.contains(relative + "/index.html")
    }

    private static func hasScheme(_ path: String) -> Bool {
        guard let colon = path.firstIndex(of: ":") else { return false }
        return !path[..<colon].contains("/")
    }

    private static func directory(of url: String) -> String {
        url.hasSuffix("/") ? url : String(url[...(url.lastIndex(of: "/") ?? url.startIndex)])
    }

    /// Whether `normalize` would give `path` back: it is ASCII (`normalize` splits characters, and a
    /// combining mark after `/` joins it), starts with `/` and has no empty, `.` or `..` segment.
    /// Most links are written that way, and this look at the bytes costs no allocation.
    static func isNormal(_ path: String) -> Bool {
        var utf8 = path.utf8.makeIterator()
        guard utf8.next() == UInt8(ascii: "/") else { return false }
        var segmentLength = 0
        var dotsOnly = true
        while let byte = utf8.next() {
            guard byte < 0x80 else { return false }
            if byte == UInt8(ascii: "/") {
                if segmentLength == 0 || (dotsOnly && segmentLength <= 2) { return false }
                segmentLength = 0
                dotsOnly = true
            } else {
                segmentLength += 1
                if byte != UInt8(ascii: ".") { dotsOnly = false }
            }
        }
        return segmentLength == 0 || !(dotsOnly && segmentLength <= 2)
    }

    /// Resolves `.` and `..`; nil when `..` climbs above the root.
    static func normalize(_ path: String) -> String? {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                guard !parts.isEmpty else { return nil }
                parts.removeLast()
            } else {
                parts.append(part)
            }
        }
        let joined = "/" + parts.joined(separator: "/")
        return path.hasSuffix("/") && joined != "/" ? joined + "/" : joined
    }
}
