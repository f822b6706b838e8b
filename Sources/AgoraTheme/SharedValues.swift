import Mustache

/// Template values made once and shown on many pages — a product as every list, the home page
/// and its maker's profile show it — with a `key` that stands for all of them in a page's
/// fingerprint, so an incremental build hashes them once per build instead of once per page.
public final class SharedValues: MustacheParent, @unchecked Sendable {
    // Never changed after init; the values are strings, numbers, booleans, arrays, dictionaries
    // and `DeferredHTML`.
    public let values: [String: Any]
    /// Values on top of `values` (a card's HTML), kept apart so `values` is not copied to add them.
    public let extra: [String: Any]
    /// Values under `values`, found only where `values` has no such name (the site-wide values a
    /// card sees): one dictionary many `SharedValues` share.
    public let below: [String: Any]
    /// Equal keys promise equal values.
    public let key: String

    public init(_ values: [String: Any], adding extra: [String: Any] = [:], below: [String: Any] = [:], key: String) {
        self.values = values
        self.extra = extra
        self.below = below
        self.key = key
    }

    public func child(named name: String) -> Any? { extra[name] ?? values[name] ?? below[name] }
}

/// A template context handed to another thread or kept for later. Contexts hold only strings,
/// numbers, booleans, arrays, dictionaries, `SharedValues` and `DeferredHTML`, and are never
/// changed once built.
public struct UncheckedContext: @unchecked Sendable {
    public let values: [String: Any]

    public init(values: [String: Any]) {
        self.values = values
    }
}
