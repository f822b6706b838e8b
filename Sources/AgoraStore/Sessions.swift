/// A visitor's session: created only when something must be remembered (SPEC §6.1).
public struct Session: Sendable, Equatable {
    /// SHA-256 of the cookie value.
    public let idHash: String
    public let accountID: Int64?
    public let expiresAt: Int64
    /// The logged-in account, read with the session in the same statement, so a request that
    /// needs both (follow, like, the feed, every page for a logged-in visitor) reads once.
    public let account: Account?

    public init(idHash: String, accountID: Int64?, expiresAt: Int64, account: Account? = nil) {
        self.idHash = idHash
        self.accountID = accountID
        self.expiresAt = expiresAt
        self.account = account
    }

    /// The cart this session shops with.
    public var cartOwner: CartOwner {
        accountID.map(CartOwner.account) ?? .session(idHash)
    }
}

/// Sessions keyed by the hash of their cookie value, so a leaked database holds no usable cookie.
public protocol SessionStore: Sendable {
    /// A new session; the returned secret goes into the cookie and nowhere else.
    func create(accountID: Int64?) async throws -> (secret: String, session: Session)
    /// The live session for a cookie value, with its account, or nil when unknown or expired.
    func find(secret: String) async throws -> Session?
    /// Extends the session to a full lifetime when it was last extended over a day ago; the
    /// extended session (its cookie must be sent again) or nil when nothing changed.
    func refresh(_ session: Session) async throws -> Session?
    func delete(_ session: Session) async throws
    /// Starts a logged-in session in place of `previous` (SPEC §6.1): a new id, and the
    /// anonymous cart merged into the account's at current prices, capped by the units left.
    func logIn(_ account: Account, replacing previous: Session?,
               catalog: @escaping @Sendable (String) -> CatalogItem?) async throws -> (secret: String, session: Session)
    func count() async throws -> Int
}

/// How long sessions live: 14 days by default, `--session-days N` on `serve` (SPEC §6.1).
public struct SessionRules: Sendable, Equatable {
    public static let standard = SessionRules(days: 14)

    /// Seconds from the last extension to expiry.
    public let lifetime: Int64
    /// A session is extended at most once per this interval (a day, or half a short lifetime),
    /// so reads stay reads.
    public let refreshInterval: Int64

    public init(days: Int) {
        lifetime = Int64(max(1, days)) * 86_400
        refreshInterval = min(86_400, lifetime / 2)
    }

    /// A new session and the secret for its cookie, for every backend to store as it is.
    public func start(accountID: Int64?, account: Account? = nil, now: Int64) -> (secret: String, session: Session) {
        let secret = Tokens.sessionSecret()
        return (secret, Session(idHash: Tokens.hash(secret), accountID: accountID, expiresAt: now + lifetime, account: account))
    }

    /// The same session extended to a full lifetime from now.
    public func extended(_ session: Session, now: Int64) -> Session {
        Session(idHash: session.idHash, accountID: session.accountID, expiresAt: now + lifetime, account: session.account)
    }

    /// Whether a session found now should be extended (and its cookie sent again).
    public func needsRefresh(_ session: Session, now: Int64) -> Bool {
        session.expiresAt - now < lifetime - refreshInterval
    }
}
