import AgoraStore

/// The shop's order-link key (SPEC §6.9), read from the store once and then kept: every server on
/// a database signs and checks links with the same secret.
final class OrderLinkKeys: Sendable {
    static let secretName = "order-links"

    private let store: any ShopStore
    private let cached = Locked<OrderLinks?>(nil)

    init(store: any ShopStore) {
        self.store = store
    }

    func links() async throws -> OrderLinks {
        if let links = cached.withLock({ $0 }) { return links }
        let links = OrderLinks(secret: try await store.secret(named: Self.secretName))
        cached.withLock { $0 = links }
        return links
    }
}
