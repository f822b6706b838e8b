import AgoraStore
import PostgresNIO

/// Expired sessions, orphaned anonymous carts and day-old idempotency keys in PostgreSQL. Several
/// servers may purge at once; each row is deleted by one of them and counted once.
struct PostgresHousekeeping: HousekeepingStore {
    let database: PostgresDatabase

    func due() async throws -> ExpiredRows {
        let now = database.clock.now()
        let keysBefore = now - HousekeepingRules.idempotencyKeyLifetime
        let row = try await database.rows("""
            SELECT (SELECT COUNT(*) FROM sessions WHERE expires_at <= \(now)),
                   (SELECT COUNT(*) FROM cart_lines WHERE cart LIKE 'session:%'
                        AND substr(cart, 9) NOT IN (SELECT id_hash FROM sessions WHERE expires_at > \(now))),
                   (SELECT COUNT(*) FROM idempotency_keys WHERE created_at <= \(keysBefore))
            """).first
        guard let (sessions, cartLines, keys) = try row?.decode((Int, Int, Int).self) else { return ExpiredRows() }
        return ExpiredRows(sessions: sessions, cartLines: cartLines, idempotencyKeys: keys)
    }

    func purge() async throws -> ExpiredRows {
        let now = database.clock.now()
        let keysBefore = now - HousekeepingRules.idempotencyKeyLifetime
        return try await database.transaction { db in
            var rows = ExpiredRows()
            rows.cartLines = try await db.rows("""
                DELETE FROM cart_lines WHERE cart LIKE 'session:%'
                    AND substr(cart, 9) NOT IN (SELECT id_hash FROM sessions WHERE expires_at > \(now))
                RETURNING 1
                """).count
            rows.sessions = try await db.rows("DELETE FROM sessions WHERE expires_at <= \(now) RETURNING 1").count
            rows.idempotencyKeys = try await db.rows("DELETE FROM idempotency_keys WHERE created_at <= \(keysBefore) RETURNING 1").count
            return rows
        }
    }
}
