import AgoraStore
import GRDB

/// Expired sessions, orphaned anonymous carts and day-old idempotency keys in SQLite.
struct SQLiteHousekeeping: HousekeepingStore {
    let database: SQLiteDatabase

    /// An anonymous cart is `session:<hash>`; it is orphaned once that session is expired or gone.
    private static let orphanedCartLines = """
        cart_lines WHERE cart LIKE 'session:%'
            AND substr(cart, 9) NOT IN (SELECT id_hash FROM sessions WHERE expires_at > ?)
        """

    func due() async throws -> ExpiredRows {
        let now = database.clock.now()
        return try await database.read { db in
            ExpiredRows(
                sessions: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sessions WHERE expires_at <= ?", arguments: [now]) ?? 0,
                cartLines: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(Self.orphanedCartLines)", arguments: [now]) ?? 0,
                idempotencyKeys: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM idempotency_keys WHERE created_at <= ?",
                                                  arguments: [now - HousekeepingRules.idempotencyKeyLifetime]) ?? 0)
        }
    }

    func purge() async throws -> ExpiredRows {
        let now = database.clock.now()
        let purged = try await database.write { db in
            var rows = ExpiredRows()
            try db.execute(sql: "DELETE FROM \(Self.orphanedCartLines)", arguments: [now])
            rows.cartLines = db.changesCount
            try db.execute(sql: "DELETE FROM sessions WHERE expires_at <= ?", arguments: [now])
            rows.sessions = db.changesCount
            try db.execute(sql: "DELETE FROM idempotency_keys WHERE created_at <= ?",
                           arguments: [now - HousekeepingRules.idempotencyKeyLifetime])
            rows.idempotencyKeys = db.changesCount
            return rows
        }
        // Sessions this process may still hold in memory are gone from the file.
        if purged.sessions > 0 { database.sessionCache.forgetAll() }
        return purged
    }
}
