import AgoraStore
import PostgresNIO

/// Every protocol of `ShopStore` over one PostgreSQL database, for shops that run several
/// `agora serve` processes behind a load balancer (SPEC §11). The servers share nothing but the
/// database: no session cache, every check-then-write locked in its transaction.
public final class PostgresStore: ShopStore {
    let database: PostgresDatabase
    public let sessions: any SessionStore
    public let carts: any CartStore
    public let orders: any OrderStore
    public let idempotency: any IdempotencyStore
    public let accounts: any AccountStore
    public let social: any SocialStore
    public let feed: any FeedStore
    public let counters: any CounterStore
    public let outbox: any OutboxStore

    /// Connects, and migrates the schema if another process has not already.
    public init(url: PostgresURL, clock: any StoreClock = SystemClock()) async throws {
        let database = try await PostgresDatabase(url: url, clock: clock)
        self.database = database
        sessions = PostgresSessions(database: database)
        carts = PostgresCarts(database: database)
        orders = PostgresOrders(database: database)
        idempotency = PostgresIdempotency(database: database)
        accounts = PostgresAccounts(database: database)
        social = PostgresSocial(database: database)
        feed = PostgresFeed(database: database)
        counters = PostgresCounters(database: database)
        outbox = PostgresOutbox(database: database)
    }

    public var backend: String { "postgresql" }
    public var location: String { database.url.redacted }
    public var clock: any StoreClock { database.clock }

    public func isHealthy() async -> Bool {
        (try? await database.rows("SELECT 1").count) == 1
    }

    /// Closes the connections; the store cannot be used afterwards.
    public func close() async {
        await database.close()
    }
}
