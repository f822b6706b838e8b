import AgoraStore
import Foundation
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
    public let housekeeping: any HousekeepingStore
    public let sessionRules: SessionRules

    /// Connects, and migrates the schema if another process has not already. `mailLease`: the
    /// seconds a server keeps the order mail it claimed before another may send it.
    public init(url: PostgresURL, clock: any StoreClock = SystemClock(), mailLease: Int64 = 120,
                sessionRules: SessionRules = .standard) async throws {
        let database = try await PostgresDatabase(url: url, clock: clock)
        self.database = database
        self.sessionRules = sessionRules
        sessions = PostgresSessions(database: database, rules: sessionRules)
        carts = PostgresCarts(database: database)
        orders = PostgresOrders(database: database)
        idempotency = PostgresIdempotency(database: database)
        accounts = PostgresAccounts(database: database)
        social = PostgresSocial(database: database)
        feed = PostgresFeed(database: database)
        counters = PostgresCounters(database: database)
        outbox = PostgresOutbox(database: database, lease: max(1, mailLease))
        housekeeping = PostgresHousekeeping(database: database)
    }

    public var backend: String { "postgresql" }
    public var location: String { database.url.redacted }
    public var clock: any StoreClock { database.clock }

    public func secret(named name: String) async throws -> String {
        let fresh = Tokens.sessionSecret()
        return try await database.transaction { db in
            try await db.rows("INSERT INTO secrets (name, value) VALUES (\(name), \(fresh)) ON CONFLICT DO NOTHING")
            return try await db.rows("SELECT value FROM secrets WHERE name = \(name)").first?.decode(String.self) ?? fresh
        }
    }

    public func isHealthy() async -> Bool {
        // A load balancer's health check wants its answer quickly.
        (try? await database.rows("SELECT 1", patience: .seconds(3)).count) == 1
    }

    /// `NOTIFY` on the reload channel; the payload names this process, which ignores its own.
    public func announceReload() async throws {
        try await database.rows("SELECT pg_notify(\(Self.reloadChannel), \(processTag))")
    }

    /// `LISTEN` on one connection of the pool for as long as the task runs; after a lost
    /// connection (a database restart) it listens again a second later.
    public func listenForReloads(_ heard: @escaping @Sendable () async -> Void) async throws {
        let own = processTag
        while !Task.isCancelled {
            do {
                try await database.client.withConnection { connection in
                    try await connection.listen(on: Self.reloadChannel) { notifications in
                        for try await notification in notifications where notification.payload != own { await heard() }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                // This connection is always open: its loss is the first sign of a database gone.
                database.markUnreachable()
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    static let reloadChannel = "agora_reload"
    /// This store's name in its notifications.
    private let processTag = "\(getpid())-\(UInt64.random(in: 0 ... .max))"

    /// Closes the connections; the store cannot be used afterwards.
    public func close() async {
        await database.close()
    }
}
