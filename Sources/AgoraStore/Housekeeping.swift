/// Rows the server removes by itself (SPEC §6.1): expired sessions, the anonymous carts only they
/// could reach, and idempotency keys older than a day.
public struct ExpiredRows: Sendable, Equatable, CustomStringConvertible {
    public var sessions: Int
    public var cartLines: Int
    public var idempotencyKeys: Int

    public init(sessions: Int = 0, cartLines: Int = 0, idempotencyKeys: Int = 0) {
        self.sessions = sessions
        self.cartLines = cartLines
        self.idempotencyKeys = idempotencyKeys
    }

    public var total: Int { sessions + cartLines + idempotencyKeys }

    /// "2 sessions, 5 cart lines, 1 idempotency key".
    public var description: String {
        func count(_ n: Int, _ one: String, _ many: String) -> String { "\(n) \(n == 1 ? one : many)" }
        return [count(sessions, "session", "sessions"), count(cartLines, "cart line", "cart lines"),
                count(idempotencyKeys, "idempotency key", "idempotency keys")].joined(separator: ", ")
    }
}

public enum HousekeepingRules {
    /// A key answers its retries for a day, as Stripe's do; after that the same key makes a new order.
    public static let idempotencyKeyLifetime: Int64 = 86_400
}

/// Finds and removes expired rows; the server runs `purge` at start and then periodically.
public protocol HousekeepingStore: Sendable {
    /// What `purge` would remove now (`agora doctor`).
    func due() async throws -> ExpiredRows
    /// Removes it in one transaction; what went.
    func purge() async throws -> ExpiredRows
}
