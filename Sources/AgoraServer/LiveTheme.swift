import AgoraStore
import AgoraTheme

/// The theme the server renders its own pages and mail with. `agora serve --watch` replaces it
/// after a rebuild, so the cart and account pages follow template edits like the static ones.
public final class LiveTheme: Sendable {
    private let state: Locked<Theme>

    public init(_ theme: Theme) {
        state = Locked(theme)
    }

    public var current: Theme { state.withLock { $0 } }

    public func replace(with theme: Theme) {
        state.withLock { $0 = theme }
    }
}
