import Foundation
import Mustache

/// HTML that is made only when a template prints it (`{{{description_html}}}`), at most once.
///
/// An incremental build fingerprints every page's context without rendering it; with deferred
/// values a page's fingerprint covers a product description or a card through `key` (a digest of
/// what the HTML is made from) instead of the HTML itself, so unchanged pages never render them.
public final class DeferredHTML: MustacheCustomRenderable, @unchecked Sendable, CustomStringConvertible {
    /// Equal keys promise equal HTML.
    public let key: String
    private let make: @Sendable () -> String
    private let lock = NSLock()
    private var made: String?

    public init(key: String, make: @escaping @Sendable () -> String) {
        self.key = key
        self.make = make
    }

    /// HTML known up front.
    public convenience init(_ html: String) {
        self.init(key: html) { html }
    }

    public var html: String {
        lock.withLock {
            if let made { return made }
            let value = make()
            made = value
            return value
        }
    }

    public var renderText: String { html }
    public var isNull: Bool { false }
    public var description: String { html }
}
