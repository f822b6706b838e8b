import AgoraContent
import AgoraMarkdown
import AgoraTheme
import Foundation

/// Results of an earlier build, looked up by the fingerprint of their inputs, plus the results
/// this build used: only those are kept for the next build, so the cache never outgrows the site.
/// Safe to use from the build's worker threads.
final class Memo<Value: Sendable>: @unchecked Sendable {
    private let previous: [Fingerprint: Value]
    private let lock = NSLock()
    private var used: [Fingerprint: Value] = [:]

    init(previous: [Fingerprint: Value] = [:]) {
        self.previous = previous
    }

    /// The earlier value for `key`, or `make()` when there is none.
    func value(for key: Fingerprint, make: () -> Value) -> Value {
        if let earlier = previous[key] {
            lock.withLock { used[key] = earlier }
            return earlier
        }
        let value = make()
        lock.withLock { used[key] = value }
        return value
    }

    /// The values this build used, for the next build.
    var entries: [Fingerprint: Value] { lock.withLock { used } }
}

/// What every build needs of a Markdown body, kept between builds: a plain-text excerpt and its
/// links (for the link checker). The HTML is not kept; pages that print it render it when needed.
struct MarkdownSummary: Sendable {
    let excerpt: String
    let links: [MarkdownLink]
}

/// A Markdown body ready for templates.
struct RenderedMarkdown: Sendable {
    /// Stands for the body and what was made of it (its memo key).
    let key: Fingerprint
    let html: DeferredHTML
    let excerpt: String
    let links: [MarkdownLink]
}

extension Memo where Value == MarkdownSummary {
    /// `body` with an excerpt of at most `excerptLimit` characters; its HTML is rendered on first
    /// use. Looked up by the body's digest, so a body the build did not read stays unread unless
    /// its summary is new or its HTML is printed.
    func render(_ body: MarkdownBody, excerptLimit: Int) -> RenderedMarkdown {
        let key = Fingerprint.of(body.digest, salt: excerptLimit)
        let summary = value(for: key) {
            let summary = Markdown.summary(body.text, excerptLimit: excerptLimit)
            return MarkdownSummary(excerpt: summary.excerpt, links: summary.links)
        }
        return RenderedMarkdown(key: key, html: DeferredHTML(key: key.description, keepsResult: false) { Markdown.html(body.text) },
                                excerpt: summary.excerpt, links: summary.links)
    }
}

/// The memos one build shares between its steps.
struct BuildMemos: Sendable {
    let markdown: Memo<MarkdownSummary>
    /// The broken links of each body as shown on its page, by `LinkChecker.Document` key.
    let links: Memo<[ContentIssue]>

    init(markdown: Memo<MarkdownSummary> = Memo(), links: Memo<[ContentIssue]> = Memo()) {
        self.markdown = markdown
        self.links = links
    }

    init(_ cache: BuildCache) {
        self.init(markdown: Memo(previous: cache.markdown), links: Memo(previous: cache.links))
    }
}
