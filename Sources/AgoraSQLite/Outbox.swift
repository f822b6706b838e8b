import AgoraStore
import GRDB

/// The outbox in SQLite: rows are written in the order's transaction.
struct SQLiteOutbox: OutboxStore {
    let database: SQLiteDatabase

    init(_ database: SQLiteDatabase) {
        self.database = database
    }

    static func enqueueOrderMail(_ kind: String = OrderMailKind.created, number: String, recipient: String, at now: Int64,
                                 _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO outbox (kind, order_number, recipient, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?)
            """, arguments: [kind, number, recipient, now, now])
    }

    func enqueue(kind: String, orderNumber: String, recipient: String) async throws {
        let now = database.clock.now()
        try await database.write { db in
            try db.run(sql: """
                INSERT INTO outbox (kind, order_number, recipient, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?)
                """, arguments: [kind, orderNumber, recipient, now, now])
        }
    }

    /// Pending messages whose next attempt is due, oldest first.
    func due(limit: Int) async throws -> [OutboxMessage] {
        let now = database.clock.now()
        return try await database.snapshot { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?
                """, arguments: [now, limit]).map(Self.message)
        }
    }

    func all(status: OutboxMessage.Status?, limit: Int) async throws -> [OutboxMessage] {
        try await database.snapshot { db in
            if let status {
                return try Row.fetchAll(db, sql: "SELECT * FROM outbox WHERE status = ? ORDER BY id DESC LIMIT ?",
                                        arguments: [status.rawValue, limit]).map(Self.message)
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM outbox ORDER BY id DESC LIMIT ?", arguments: [limit]).map(Self.message)
        }
    }

    func message(id: Int64) async throws -> OutboxMessage? {
        try await database.snapshot { db in try Row.fetchOne(db, sql: "SELECT * FROM outbox WHERE id = ?", arguments: [id]).map(Self.message) }
    }

    func markSent(_ id: Int64) async throws {
        let now = database.clock.now()
        try await database.pool.write { db in
            try db.execute(sql: "UPDATE outbox SET status = 'sent', attempts = attempts + 1, sent_at = ?, last_error = NULL WHERE id = ?",
                           arguments: [now, id])
        }
    }

    /// Records a failed attempt: retried after `retryAfter` seconds, or `failed` after the last attempt.
    func markFailed(_ id: Int64, error: String, retryAfter: Int64, maxAttempts: Int) async throws {
        let now = database.clock.now()
        try await database.pool.write { db in
            try db.execute(sql: """
                UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?,
                    status = CASE WHEN attempts + 1 >= ? THEN 'failed' ELSE 'pending' END
                WHERE id = ?
                """, arguments: [String(error.prefix(500)), now + retryAfter, maxAttempts, id])
        }
    }

    /// Puts failed (or all pending) messages back in line for an attempt now; returns how many.
    @discardableResult
    func retry(id: Int64?) async throws -> Int {
        let now = database.clock.now()
        return try await database.pool.write { db in
            if let id {
                try db.execute(sql: "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ? WHERE id = ? AND status != 'sent'",
                               arguments: [now, id])
            } else {
                try db.execute(sql: "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ? WHERE status = 'failed'",
                               arguments: [now])
            }
            return db.changesCount
        }
    }

    func counts() async throws -> OutboxCounts {
        try await database.snapshot { db in
            let rows = try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM outbox GROUP BY status")
            var counts: [String: Int] = [:]
            for row in rows { counts[row["status"]] = row["n"] }
            return OutboxCounts(pending: counts["pending"] ?? 0, failed: counts["failed"] ?? 0, sent: counts["sent"] ?? 0)
        }
    }

    static func message(_ row: Row) -> OutboxMessage {
        OutboxMessage(id: row["id"], kind: row["kind"], orderNumber: row["order_number"], recipient: row["recipient"],
                      status: OutboxMessage.Status(rawValue: row["status"]) ?? .pending, attempts: row["attempts"],
                      nextAttemptAt: row["next_attempt_at"], lastError: row["last_error"], createdAt: row["created_at"],
                      sentAt: row["sent_at"])
    }
}
