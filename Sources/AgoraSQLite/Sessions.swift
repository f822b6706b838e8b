import AgoraStore
import GRDB

/// Sessions in SQLite, keyed by the SHA-256 of their cookie value; writes are group-committed.
struct SQLiteSessions: SessionStore {
    let database: SQLiteDatabase
    let rules: SessionRules

    init(_ database: SQLiteDatabase, rules: SessionRules) {
        self.database = database
        self.rules = rules
    }

    func create(accountID: Int64?) async throws -> (secret: String, session: Session) {
        let now = database.clock.now()
        let (secret, session) = rules.start(accountID: accountID, now: now)
        try await database.write { db in
            try db.run(sql: "INSERT INTO sessions (id_hash, account_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                       arguments: [session.idHash, accountID, now, session.expiresAt])
        }
        return (secret, session)
    }

    func find(secret: String) async throws -> Session? {
        guard !secret.isEmpty, secret.utf8.count <= 128 else { return nil }
        let now = database.clock.now()
        let hash = Tokens.hash(secret)
        let cache = database.sessionCache
        if let session = cache.session(idHash: hash, now: now) { return session }
        let generation = cache.generation
        let session = try await database.read { db in
            try Row.fetchOne(db.cachedStatement(sql: """
                SELECT s.id_hash, s.account_id, s.expires_at, a.*
                FROM sessions s LEFT JOIN accounts a ON a.id = s.account_id
                WHERE s.id_hash = ? AND s.expires_at > ?
                """), arguments: [hash, now])
                .map { row in
                    let account: Account? = (row["username"] as String?) == nil ? nil : SQLiteAccounts.account(row)
                    return Session(idHash: row["id_hash"], accountID: row["account_id"], expiresAt: row["expires_at"], account: account)
                }
        }
        if let session { cache.remember(session, readAt: now, generation: generation) }
        return session
    }

    func refresh(_ session: Session) async throws -> Session? {
        let now = database.clock.now()
        guard rules.needsRefresh(session, now: now) else { return nil }
        let extended = rules.extended(session, now: now)
        try await database.write { db in
            try db.run(sql: "UPDATE sessions SET expires_at = ? WHERE id_hash = ?", arguments: [extended.expiresAt, session.idHash])
        }
        database.sessionCache.forget(idHash: session.idHash)
        return extended
    }

    func delete(_ session: Session) async throws {
        try await database.write { db in
            try db.run(sql: "DELETE FROM sessions WHERE id_hash = ?", arguments: [session.idHash])
        }
        database.sessionCache.forget(idHash: session.idHash)
    }

    func logIn(_ account: Account, replacing previous: Session?,
               catalog: @escaping @Sendable (String) -> CatalogItem?) async throws -> (secret: String, session: Session) {
        let now = database.clock.now()
        let (secret, session) = rules.start(accountID: account.id, account: account, now: now)
        try await database.write { db in
            try db.run(sql: "INSERT INTO sessions (id_hash, account_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                       arguments: [session.idHash, account.id, now, session.expiresAt])
            guard let previous else { return }
            try db.run(sql: "DELETE FROM sessions WHERE id_hash = ?", arguments: [previous.idHash])
            let anonymous = CartOwner.session(previous.idHash)
            guard previous.accountID == nil else { return }
            let owner = CartOwner.account(account.id)
            for line in try SQLiteCarts.cart(anonymous, db).lines {
                guard let item = catalog(line.sku), item.available else { continue }
                let existing = try Int.fetchOne(db.cachedStatement(sql: "SELECT quantity FROM cart_lines WHERE cart = ? AND sku = ?"),
                                                arguments: [owner.key, line.sku]) ?? 0
                let merged = min(existing + line.quantity, try Stock.unitsLeft(item, db))
                guard merged > existing else { continue }
                try SQLiteCarts.setLine(owner, item, quantity: merged, now: now, db)
            }
            try db.run(sql: "DELETE FROM cart_lines WHERE cart = ?", arguments: [anonymous.key])
        }
        if let previous { database.sessionCache.forget(idHash: previous.idHash) }
        return (secret, session)
    }

    func count() async throws -> Int {
        try await database.read { db in try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM sessions")) ?? 0 }
    }
}
