import AgoraStore
import PostgresNIO

/// The outbox in PostgreSQL. Several servers run a mail worker each, so `due` claims what it
/// returns: the rows are taken with `FOR UPDATE SKIP LOCKED` (two workers never take the same
/// row) and leased for `lease` seconds (two minutes unless the store was opened with another). A worker that dies while sending leaves its lease to
/// expire, and another server sends the mail then (SPEC §11).
struct PostgresOutbox: OutboxStore {
    let database: PostgresDatabase
    /// Seconds a claimed message belongs to the server that claimed it: longer than any delivery.
    let lease: Int64

    static func enqueueOrderMail(_ kind: String = OrderMailKind.created, number: String, recipient: String, at now: Int64,
                                 _ db: Transaction) async throws {
        try await db.rows("""
            INSERT INTO outbox (kind, order_number, recipient, next_attempt_at, created_at)
            VALUES (\(kind), \(number), \(recipient), \(now), \(now))
            """)
    }

    func enqueue(kind: String, orderNumber: String, recipient: String) async throws {
        let now = database.clock.now()
        try await database.rows("""
            INSERT INTO outbox (kind, order_number, recipient, next_attempt_at, created_at)
            VALUES (\(kind), \(orderNumber), \(recipient), \(now), \(now))
            """)
    }

    private static let columns = "id, kind, order_number, recipient, status, attempts, next_attempt_at, last_error, created_at, sent_at"

    func due(limit: Int) async throws -> [OutboxMessage] {
        let now = database.clock.now()
        return try await database.rows("""
            UPDATE outbox SET claimed_until = \(now + lease)
            WHERE id IN (SELECT id FROM outbox
                         WHERE status = 'pending' AND next_attempt_at <= \(now) AND (claimed_until IS NULL OR claimed_until <= \(now))
                         ORDER BY next_attempt_at, id LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            RETURNING \(unescaped: Self.columns)
            """).map(Self.message).sorted { ($0.nextAttemptAt, $0.id) < ($1.nextAttemptAt, $1.id) }
    }

    func all(status: OutboxMessage.Status?, limit: Int) async throws -> [OutboxMessage] {
        try await database.rows("""
            SELECT \(unescaped: Self.columns) FROM outbox WHERE (\(status?.rawValue)::text IS NULL OR status = \(status?.rawValue))
            ORDER BY id DESC LIMIT \(limit)
            """).map(Self.message)
    }

    func message(id: Int64) async throws -> OutboxMessage? {
        try await database.rows("SELECT \(unescaped: Self.columns) FROM outbox WHERE id = \(id)").first.map(Self.message)
    }

    func markSent(_ id: Int64) async throws {
        let now = database.clock.now()
        try await database.rows("""
            UPDATE outbox SET status = 'sent', attempts = attempts + 1, sent_at = \(now), last_error = NULL, claimed_until = NULL
            WHERE id = \(id)
            """)
    }

    func markFailed(_ id: Int64, error: String, retryAfter: Int64, maxAttempts: Int) async throws {
        let now = database.clock.now()
        try await database.rows("""
            UPDATE outbox SET attempts = attempts + 1, last_error = \(String(error.prefix(500))), next_attempt_at = \(now + retryAfter),
                status = CASE WHEN attempts + 1 >= \(maxAttempts) THEN 'failed' ELSE 'pending' END, claimed_until = NULL
            WHERE id = \(id)
            """)
    }

    @discardableResult
    func retry(id: Int64?) async throws -> Int {
        let now = database.clock.now()
        if let id {
            return try await database.rows("""
                UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = \(now), claimed_until = NULL
                WHERE id = \(id) AND status <> 'sent' RETURNING 1
                """).count
        }
        return try await database.rows("""
            UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = \(now), claimed_until = NULL WHERE status = 'failed' RETURNING 1
            """).count
    }

    func counts() async throws -> OutboxCounts {
        var counts: [String: Int] = [:]
        for row in try await database.rows("SELECT status, COUNT(*) FROM outbox GROUP BY status") {
            let (status, count) = try row.decode((String, Int).self)
            counts[status] = count
        }
        return OutboxCounts(pending: counts["pending"] ?? 0, failed: counts["failed"] ?? 0, sent: counts["sent"] ?? 0)
    }

    static func message(_ row: PostgresRow) throws -> OutboxMessage {
        let (id, kind, orderNumber, recipient, status, attempts, nextAttemptAt, lastError, createdAt, sentAt) =
            try row.decode((Int64, String, String, String, String, Int, Int64, String?, Int64, Int64?).self)
        return OutboxMessage(id: id, kind: kind, orderNumber: orderNumber, recipient: recipient,
                             status: OutboxMessage.Status(rawValue: status) ?? .pending, attempts: attempts,
                             nextAttemptAt: nextAttemptAt, lastError: lastError, createdAt: createdAt, sentAt: sentAt)
    }
}
