import AgoraStore
import PostgresNIO

/// Sessions in PostgreSQL. No cache in front: another server may end a session at any moment,
/// and a logout must hold on every one of them (SPEC §11).
struct PostgresSessions: SessionStore {
    let database: PostgresDatabase
    let rules: SessionRules

    func create(accountID: Int64?) async throws -> (secret: String, session: Session) {
        let now = database.clock.now()
        let (secret, session) = rules.start(accountID: accountID, now: now)
        try await database.rows("""
            INSERT INTO sessions (id_hash, account_id, created_at, expires_at) VALUES (\(session.idHash), \(accountID), \(now), \(session.expiresAt))
            """)
        return (secret, session)
    }

    func find(secret: String) async throws -> Session? {
        guard !secret.isEmpty, secret.utf8.count <= 128 else { return nil }
        let now = database.clock.now()
        let hash = Tokens.hash(secret)
        let rows = try await database.rows("""
            SELECT s.id_hash, s.account_id, s.expires_at, \(unescaped: PostgresAccounts.columns("a"))
            FROM sessions s LEFT JOIN accounts a ON a.id = s.account_id
            WHERE s.id_hash = \(hash) AND s.expires_at > \(now)
            """)
        guard let row = rows.first else { return nil }
        let (idHash, accountID, expiresAt) = try row.decode((String, Int64?, Int64).self)
        let account = accountID == nil ? nil : try PostgresAccounts.account(row, from: 3)
        return Session(idHash: idHash, accountID: accountID, expiresAt: expiresAt, account: account)
    }

    func refresh(_ session: Session) async throws -> Session? {
        let now = database.clock.now()
        guard rules.needsRefresh(session, now: now) else { return nil }
        let extended = rules.extended(session, now: now)
        try await database.rows("UPDATE sessions SET expires_at = \(extended.expiresAt) WHERE id_hash = \(session.idHash)")
        return extended
    }

    func delete(_ session: Session) async throws {
        try await database.rows("DELETE FROM sessions WHERE id_hash = \(session.idHash)")
    }

    func logIn(_ account: Account, replacing previous: Session?,
               catalog: @escaping @Sendable (String) -> CatalogItem?) async throws -> (secret: String, session: Session) {
        let now = database.clock.now()
        let (secret, session) = rules.start(accountID: account.id, account: account, now: now)
        try await database.transaction { db in
            try await db.rows("""
                INSERT INTO sessions (id_hash, account_id, created_at, expires_at) VALUES (\(session.idHash), \(account.id), \(now), \(session.expiresAt))
                """)
            guard let previous else { return }
            try await db.rows("DELETE FROM sessions WHERE id_hash = \(previous.idHash)")
            let anonymous = CartOwner.session(previous.idHash)
            guard previous.accountID == nil else { return }
            let owner = CartOwner.account(account.id)
            for line in try await PostgresCarts.cart(anonymous, db).lines {
                guard let item = catalog(line.sku), item.available else { continue }
                let existing = try await db.rows("SELECT quantity FROM cart_lines WHERE cart = \(owner.key) AND sku = \(line.sku)")
                    .first?.decode(Int.self) ?? 0
                let merged = min(existing + line.quantity, try await Stock.unitsLeftNow(item, db))
                guard merged > existing else { continue }
                try await PostgresCarts.setLine(owner, item, quantity: merged, now: now, db)
            }
            try await db.rows("DELETE FROM cart_lines WHERE cart = \(anonymous.key)")
        }
        return (secret, session)
    }

    func count() async throws -> Int {
        try await database.rows("SELECT COUNT(*) FROM sessions").first?.decode(Int.self) ?? 0
    }
}
