/// Everything the live server keeps (SPEC §6), behind one seam: the server, the mail worker and
/// the command line see only these protocols, `async` and `Sendable`, never the database
/// library beneath. SQLite (`AgoraSQLite`) is the embedded implementation; another backend
/// implements the same protocols and passes the same store tests.
public protocol ShopStore: Sendable {
    /// A short name for `/healthz` and logs: `sqlite`.
    var backend: String { get }
    /// Where the store is, for messages: a file path or a URL without its password.
    var location: String { get }
    var clock: any StoreClock { get }
    var sessions: any SessionStore { get }
    var carts: any CartStore { get }
    var orders: any OrderStore { get }
    var idempotency: any IdempotencyStore { get }
    var accounts: any AccountStore { get }
    var social: any SocialStore { get }
    var feed: any FeedStore { get }
    var counters: any CounterStore { get }
    var outbox: any OutboxStore { get }
    var housekeeping: any HousekeepingStore { get }
    /// The session lifetime this store was opened with; the cookie's Max-Age follows it.
    var sessionRules: SessionRules { get }
    /// A random secret kept in the database under `name`, made on first use: every server on
    /// the database gets the same one (the key of order links, SPEC §6.9).
    func secret(named name: String) async throws -> String
    /// The database answers and reports itself intact.
    func isHealthy() async -> Bool
    /// Tells the other servers sharing this store that the catalog was reloaded
    /// (`POST /admin/reload`, SPEC §11). Nothing to do for a store one server uses.
    func announceReload() async throws
    /// Calls `heard` each time another server announces a reload, until the calling task is
    /// cancelled. Returns at once for a store one server uses.
    func listenForReloads(_ heard: @escaping @Sendable () async -> Void) async throws
    /// How often a server runs `maintain()`; nil for a store that needs no upkeep in the background.
    var maintenanceInterval: Duration? { get }
    /// One round of the store's background upkeep, run by the server between requests' work
    /// (SQLite: a checkpoint of its write-ahead log, so that its writer never stops to do one).
    func maintain() async throws
}

extension ShopStore {
    public func announceReload() async throws {}
    public func listenForReloads(_ heard: @escaping @Sendable () async -> Void) async throws {}
    public var maintenanceInterval: Duration? { nil }
    public func maintain() async throws {}

    /// Registration and login rules over this store's accounts.
    public var accountRules: Accounts { Accounts(accounts, clock: clock) }
}

/// The database cannot be reached (down, restarting, out of connections). The server answers 503
/// with a message and keeps running; the store reconnects by itself when the database is back.
public struct StoreUnavailable: Error, CustomStringConvertible {
    public let reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { "the database does not answer: \(reason)" }
}
