import Foundation
import Mustache

/// HTML that is made only when a template prints it (`{{{description_html}}}`).
///
/// An incremental build fingerprints every page's context without rendering it; with deferred
/// values a page's fingerprint covers a product description or a card through `key` (a digest of
/// what the HTML is made from) instead of the HTML itself, so unchanged pages never render them.
public final class DeferredHTML: MustacheCustomRenderable, @unchecked Sendable, CustomStringConvertible {
    /// Equal keys promise equal HTML.
    public let key: String
    private let make: @Sendable () -> String
    /// Whether the HTML is kept once made: worth it for what many pages show (cards), not for what
    /// one page shows (a description), which would only hold memory until the build ends.
    private let keepsResult: Bool
    private let lock = NSLock()
    private var made: String?

    public init(key: String, keepsResult: Bool = true, make: @escaping @Sendable () -> String) {
        self.key = key
        self.keepsResult = keepsResult
        self.make = make
    }

    /// HTML known up front.
    public convenience init(_ html: String) {
        self.init(key: html) { html }
    }

    public var html: String {
        guard keepsResult else { return make() }
        return lock.withLock {
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
