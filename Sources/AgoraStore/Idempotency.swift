import GRDB

/// `Idempotency-Key` for order creation, with the semantics of Stripe and the IETF draft: the
/// same key and body return the same order; the same key with another body is refused; a key
/// whose first request is still running is a conflict.
public struct IdempotencyStore: Sendable {
    public struct Key: Sendable, Equatable {
        /// The session or account the key belongs to: keys are never shared between shoppers.
        public let scope: String
        public let value: String
        /// A digest of the request body.
        public let requestHash: String

        public init(scope: String, value: String, requestHash: String) {
            self.scope = scope
            self.value = value
            self.requestHash = requestHash
        }
    }

    public enum Outcome: Sendable, Equatable {
        /// First use: go ahead, then complete (inside the order transaction) or abandon.
        case proceed
        case replay(orderNumber: String)
        case mismatch
        case inProgress
    }

    /// A running request older than this is taken as crashed; its key can be used again.
    public static let abandonAfter: Int64 = 60

    let database: AgoraDatabase

    public init(_ database: AgoraDatabase) {
        self.database = database
    }

    public func begin(_ key: Key) throws -> Outcome {
        let now = database.clock.now()
        return try database.pool.write { db in
            if let row = try Row.fetchOne(db, sql: """
                SELECT request_hash, order_number, created_at FROM idempotency_keys WHERE scope = ? AND key = ?
                """, arguments: [key.scope, key.value]) {
                let running = (row["order_number"] as String?) == nil
                if running, now - (row["created_at"] as Int64) < Self.abandonAfter { return .inProgress }
                guard row["request_hash"] as String == key.requestHash else { return .mismatch }
                if let number = row["order_number"] as String? { return .replay(orderNumber: number) }
                try db.execute(sql: "UPDATE idempotency_keys SET created_at = ? WHERE scope = ? AND key = ?",
                               arguments: [now, key.scope, key.value])
                return .proceed
            }
            try db.execute(sql: """
                INSERT INTO idempotency_keys (scope, key, request_hash, order_number, created_at) VALUES (?, ?, ?, NULL, ?)
                """, arguments: [key.scope, key.value, key.requestHash, now])
            return .proceed
        }
    }

    /// Forgets a key whose request failed, so the client may retry with it.
    public func abandon(_ key: Key) throws {
        try database.pool.write { db in
            try db.execute(sql: "DELETE FROM idempotency_keys WHERE scope = ? AND key = ? AND order_number IS NULL",
                           arguments: [key.scope, key.value])
        }
    }

    static func complete(_ key: Key, orderNumber: String, _ db: Database) throws {
        try db.execute(sql: "UPDATE idempotency_keys SET order_number = ? WHERE scope = ? AND key = ?",
                       arguments: [orderNumber, key.scope, key.value])
    }
}
