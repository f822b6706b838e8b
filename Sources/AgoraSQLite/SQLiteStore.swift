import AgoraStore
import Foundation
import GRDB

/// The embedded store: every protocol of `ShopStore` over one SQLite file (SPEC §9, §11).
public final class SQLiteStore: ShopStore {
    public let database: SQLiteDatabase
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

    public init(path: String, clock: any StoreClock = SystemClock(), countStatements: Bool = false,
                sessionRules: SessionRules = .standard) throws {
        let database = try SQLiteDatabase(path: path, clock: clock, countStatements: countStatements)
        self.database = database
        self.sessionRules = sessionRules
        sessions = SQLiteSessions(database, rules: sessionRules)
        carts = SQLiteCarts(database)
        orders = SQLiteOrders(database)
        idempotency = SQLiteIdempotency(database)
        accounts = SQLiteAccounts(database)
        social = SQLiteSocial(database)
        feed = SQLiteFeed(database)
        counters = SQLiteCounters(database)
        outbox = SQLiteOutbox(database)
        housekeeping = SQLiteHousekeeping(database: database)
    }

    public var backend: String { "sqlite" }
    public var location: String { database.path }
    public var clock: any StoreClock { database.clock }

    public func secret(named name: String) async throws -> String {
        let fresh = Tokens.sessionSecret()
        return try await database.write { db in
            try db.run(sql: "INSERT OR IGNORE INTO secrets (name, value) VALUES (?, ?)", arguments: [name, fresh])
            return try String.fetchOne(db, sql: "SELECT value FROM secrets WHERE name = ?", arguments: [name]) ?? fresh
        }
    }

    /// Often enough that the log stays around a thousand pages under a heavy write load (the
    /// size SQLite would checkpoint at by itself), rarely enough that an idle server barely wakes.
    public var maintenanceInterval: Duration? { .milliseconds(200) }

    public func maintain() async throws {
        _ = try await database.checkpoint()
    }

    public func isHealthy() async -> Bool {
        await database.isHealthy()
    }

    /// Group-commit figures: transactions committed, writes they carried, the largest batch.
    public var groupCommitStatistics: (batches: Int, writes: Int, largestBatch: Int) {
        database.writer.statistics
    }
}
