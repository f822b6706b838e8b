import GRDB

/// A visitor's session: created only when something must be remembered (SPEC §6.1).
public struct Session: Sendable, Equatable {
    /// SHA-256 of the cookie value.
    public let idHash: String
    public let accountID: Int64?
    public let expiresAt: Int64

    /// The cart this session shops with.
    public var cartOwner: CartOwner {
        accountID.map(CartOwner.account) ?? .session(idHash)
    }
}

/// Sessions keyed by the hash of their cookie value, so a leaked database holds no usable cookie.
public struct SessionStore: Sendable {
    /// 14 days, refreshed on use.
    public static let lifetime: Int64 = 14 * 86_400
    /// A session is extended at most once per this interval, so reads stay reads.
    public static let refreshInterval: Int64 = 86_400

    let database: AgoraDatabase

    public init(_ database: AgoraDatabase) {
        self.database = database
    }

    /// A new session; the returned secret goes into the cookie and nowhere else.
    public func create(accountID: Int64? = nil) throws -> (secret: String, session: Session) {
        let secret = Tokens.sessionSecret()
        let now = database.clock.now()
        let session = Session(idHash: Tokens.hash(secret), accountID: accountID, expiresAt: now + Self.lifetime)
        try database.pool.write { db in
            try db.execute(sql: "INSERT INTO sessions (id_hash, account_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                           arguments: [session.idHash, accountID, now, session.expiresAt])
        }
        return (secret, session)
    }

    /// The live session for a cookie value, or nil when unknown or expired.
    public func find(secret: String) throws -> Session? {
        guard !secret.isEmpty, secret.utf8.count <= 128 else { return nil }
        let now = database.clock.now()
        return try database.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT id_hash, account_id, expires_at FROM sessions WHERE id_hash = ? AND expires_at > ?",
                             arguments: [Tokens.hash(secret), now])
                .map { Session(idHash: $0["id_hash"], accountID: $0["account_id"], expiresAt: $0["expires_at"]) }
        }
    }

    /// Extends the session to a full lifetime when it was last extended over a day ago.
    /// Returns the extended session (the cookie must be sent again) or nil when nothing changed.
    public func refresh(_ session: Session) throws -> Session? {
        let now = database.clock.now()
        guard session.expiresAt - now < Self.lifetime - Self.refreshInterval else { return nil }
        let extended = Session(idHash: session.idHash, accountID: session.accountID, expiresAt: now + Self.lifetime)
        try database.pool.write { db in
            try db.execute(sql: "UPDATE sessions SET expires_at = ? WHERE id_hash = ?", arguments: [extended.expiresAt, session.idHash])
        }
        return extended
    }

    public func delete(_ session: Session) throws {
        try database.pool.write { db in
            try db.execute(sql: "DELETE FROM sessions WHERE id_hash = ?", arguments: [session.idHash])
        }
    }

    /// Removes expired sessions and the carts only they could reach.
    @discardableResult
    public func purgeExpired() throws -> Int {
        let now = database.clock.now()
        return try database.pool.write { db in
            try db.execute(sql: """
                DELETE FROM cart_lines WHERE cart IN
                    (SELECT 'session:' || id_hash FROM sessions WHERE expires_at <= ? AND account_id IS NULL)
                """, arguments: [now])
            try db.execute(sql: "DELETE FROM sessions WHERE expires_at <= ?", arguments: [now])
            return db.changesCount
        }
    }

    public func count() throws -> Int {
        try database.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sessions") ?? 0 }
    }
}
