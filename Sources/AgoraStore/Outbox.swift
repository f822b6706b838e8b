/// A message waiting in (or done with) the mail outbox (SPEC §6.7).
public struct OutboxMessage: Sendable, Equatable {
    public enum Status: String, Sendable {
        case pending, sent, failed
    }

    public let id: Int64
    public let kind: String
    public let orderNumber: String
    public let recipient: String
    public let status: Status
    public let attempts: Int
    public let nextAttemptAt: Int64
    public let lastError: String?
    public let createdAt: Int64
    public let sentAt: Int64?

    public init(id: Int64, kind: String, orderNumber: String, recipient: String, status: Status, attempts: Int, nextAttemptAt: Int64,
                lastError: String?, createdAt: Int64, sentAt: Int64?) {
        self.id = id
        self.kind = kind
        self.orderNumber = orderNumber
        self.recipient = recipient
        self.status = status
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.createdAt = createdAt
        self.sentAt = sentAt
    }
}

public struct OutboxCounts: Sendable, Equatable {
    public let pending: Int
    public let failed: Int
    public let sent: Int

    public init(pending: Int, failed: Int, sent: Int) {
        self.pending = pending
        self.failed = failed
        self.sent = sent
    }
}

/// The durable outbox: rows are written in the order's transaction, so an order never exists
/// without its confirmation mail, and a restart finds every message not yet sent.
public protocol OutboxStore: Sendable {
    /// Pending messages whose next attempt is due, oldest first.
    func due(limit: Int) async throws -> [OutboxMessage]
    /// Queues a message about an order (the owner's `new_order`, say), due at once.
    func enqueue(kind: String, orderNumber: String, recipient: String) async throws
    func all(status: OutboxMessage.Status?, limit: Int) async throws -> [OutboxMessage]
    func message(id: Int64) async throws -> OutboxMessage?
    func markSent(_ id: Int64) async throws
    /// Records a failed attempt: retried after `retryAfter` seconds, or `failed` after the last attempt.
    func markFailed(_ id: Int64, error: String, retryAfter: Int64, maxAttempts: Int) async throws
    /// Puts failed messages (or the one with `id`) back in line for an attempt now; how many.
    @discardableResult func retry(id: Int64?) async throws -> Int
    func counts() async throws -> OutboxCounts
}

extension OutboxStore {
    public func due() async throws -> [OutboxMessage] { try await due(limit: 20) }
    public func all(status: OutboxMessage.Status? = nil) async throws -> [OutboxMessage] { try await all(status: status, limit: 200) }
    @discardableResult public func retry() async throws -> Int { try await retry(id: nil) }
}
