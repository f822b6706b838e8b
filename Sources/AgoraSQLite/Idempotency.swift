import AgoraStore
import GRDB

/// Idempotency keys in SQLite; taking a key is a group-committed write.
struct SQLiteIdempotency: IdempotencyStore {
    let database: SQLiteDatabase

    init(_ database: SQLiteDatabase) {
        self.database = database
    }

    func begin(_ key: IdempotencyKey) async throws -> IdempotencyOutcome {
        let now = database.clock.now()
        return try await database.write { db in
            if let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT request_hash, order_number, created_at FROM idempotency_keys WHERE scope = ? AND key = ?
                """), arguments: [key.scope, key.value]) {
                let running = (row["order_number"] as String?) == nil
                if running, now - (row["created_at"] as Int64) < IdempotencyRules.abandonAfter { return .inProgress }
                guard row["request_hash"] as String == key.requestHash else { return .mismatch }
                if let number = row["order_number"] as String? { return .replay(orderNumber: number) }
                try db.run(sql: "UPDATE idempotency_keys SET created_at = ? WHERE scope = ? AND key = ?",
                           arguments: [now, key.scope, key.value])
                return .proceed
            }
            try db.run(sql: """
                INSERT INTO idempotency_keys (scope, key, request_hash, order_number, created_at) VALUES (?, ?, ?, NULL, ?)
                """, arguments: [key.scope, key.value, key.requestHash, now])
            return .proceed
        }
    }

    func abandon(_ key: IdempotencyKey) async throws {
        try await database.write { db in
            try db.run(sql: "DELETE FROM idempotency_keys WHERE scope = ? AND key = ? AND order_number IS NULL",
                       arguments: [key.scope, key.value])
        }
    }

    static func complete(_ key: IdempotencyKey, orderNumber: String, _ db: Database) throws {
        try db.run(sql: "UPDATE idempotency_keys SET order_number = ? WHERE scope = ? AND key = ?",
                   arguments: [orderNumber, key.scope, key.value])
    }
}
