import Foundation
import GRDB

/// The shop's SQLite database: one file in WAL mode, migrated on open.
///
/// Every write runs in a `BEGIN IMMEDIATE` transaction through the pool's single writer, so
/// check-then-write sequences (stock, idempotency keys) cannot interleave. With WAL and
/// `synchronous = NORMAL` a committed transaction survives a crash of the process (kill -9);
/// only a power loss could drop the last transactions, which `AGORA_SQLITE_SYNC=FULL` prevents.
public final class AgoraDatabase: Sendable {
    public let pool: DatabasePool
    public let path: String
    public let clock: any StoreClock

    public init(path: String, clock: any StoreClock = SystemClock()) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.label = "agora"
        let synchronous = ProcessInfo.processInfo.environment["AGORA_SQLITE_SYNC"] == "FULL" ? "FULL" : "NORMAL"
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        self.path = path
        self.clock = clock
        try Migrations.migrator.migrate(pool)
    }

    /// `PRAGMA integrity_check` says "ok".
    public func isHealthy() throws -> Bool {
        try pool.read { db in try String.fetchOne(db, sql: "PRAGMA quick_check") == "ok" }
    }

    /// The journal mode SQLite reports (`wal`).
    public func journalMode() throws -> String {
        try pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }
}

/// Seconds since 1970, injectable so tests can move time instead of sleeping.
public protocol StoreClock: Sendable {
    func now() -> Int64
}

public struct SystemClock: StoreClock {
    public init() {}

    public func now() -> Int64 { Int64(Date().timeIntervalSince1970) }
}
