import GRDB

extension SessionStore {
    /// Starts a logged-in session in place of `previous` (SPEC §6.1): a new id, so a session id
    /// known before login (fixation) is worthless after it, and the anonymous cart merged into the
    /// account's — quantities of the same sku added, capped by the units left. One transaction.
    public func logIn(_ account: Account, replacing previous: Session?,
                      catalog: @Sendable (String) -> CatalogItem?) throws -> (secret: String, session: Session) {
        let secret = Tokens.sessionSecret()
        let now = database.clock.now()
        let session = Session(idHash: Tokens.hash(secret), accountID: account.id, expiresAt: now + Self.lifetime)
        try database.pool.write { db in
            try db.execute(sql: "INSERT INTO sessions (id_hash, account_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                           arguments: [session.idHash, account.id, now, session.expiresAt])
            guard let previous else { return }
            try db.execute(sql: "DELETE FROM sessions WHERE id_hash = ?", arguments: [previous.idHash])
            let anonymous = CartOwner.session(previous.idHash)
            guard previous.accountID == nil else { return }
            let owner = CartOwner.account(account.id)
            for line in try CartStore.cart(anonymous, db).lines {
                guard let item = catalog(line.sku), item.available else { continue }
                let existing = try Int.fetchOne(db, sql: "SELECT quantity FROM cart_lines WHERE cart = ? AND sku = ?",
                                                arguments: [owner.key, line.sku]) ?? 0
                let merged = min(existing + line.quantity, try Stock.unitsLeft(item, db))
                guard merged > existing else { continue }
                try CartStore.setLine(owner, item, quantity: merged, now: now, db)
            }
            try db.execute(sql: "DELETE FROM cart_lines WHERE cart = ?", arguments: [anonymous.key])
        }
        return (secret, session)
    }
}
