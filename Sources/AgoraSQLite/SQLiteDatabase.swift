import AgoraStore
import Foundation
import GRDB
import NIOCore
import NIOPosix

/// The shop's SQLite database: one file in WAL mode, migrated on open.
///
/// Writes run through the pool's single writer in `BEGIN IMMEDIATE` transactions, so
/// check-then-write sequences (stock, idempotency keys) cannot interleave. With WAL and
/// `synchronous = NORMAL` a committed transaction survives a crash of the process (kill -9);
/// only a power loss could drop the last transactions, which `AGORA_SQLITE_SYNC=FULL` prevents.
public final class SQLiteDatabase: Sendable {
    public let pool: DatabasePool
    public let path: String
    public let clock: any StoreClock
    /// Small writes of many requests, committed together (see `GroupCommitWriter`).
    let writer: GroupCommitWriter
    /// Sessions read in the last few seconds; this process is the only server on the file.
    let sessionCache = SessionCache()
    /// Statements run on any connection, when counting was asked for (tests of hot paths).
    private let statements: Locked<Int>?

    /// `countStatements` traces every statement into `statementCount`: for tests that a path
    /// runs no SQL, or one statement; it costs a little on every statement, so servers leave it off.
    public init(path: String, clock: any StoreClock = SystemClock(), countStatements: Bool = false) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.label = "agora"
        let synchronous = ProcessInfo.processInfo.environment["AGORA_SQLITE_SYNC"] == "FULL" ? "FULL" : "NORMAL"
        let statements = countStatements ? Locked(0) : nil
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            if let statements { db.trace(options: .statement) { _ in statements.withLock { $0 += 1 } } }
        }
        self.statements = statements
        pool = try DatabasePool(path: path, configuration: configuration)
        self.path = path
        self.clock = clock
        writer = GroupCommitWriter(pool: pool)
        try Migrations.migrator.migrate(pool)
    }

    /// Statements run so far (0 unless made with `countStatements`).
    public var statementCount: Int { statements?.withLock { $0 } ?? 0 }

    /// `PRAGMA quick_check` says "ok".
    public func isHealthy() async -> Bool {
        (try? await read { db in try String.fetchOne(db, sql: "PRAGMA quick_check") }) == "ok"
    }

    /// The journal mode SQLite reports (`wal`).
    public func journalMode() throws -> String {
        try pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }

    /// One statement's read: no transaction around it (a single statement reads one snapshot),
    /// on the reader threads, never on the caller's.
    func read<T: Sendable>(_ value: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let pool = self.pool
        return try await ReaderThreads.pool.runIfActive { try pool.unsafeRead(value) }
    }

    /// Several statements that must see one snapshot.
    func snapshot<T: Sendable>(_ value: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let pool = self.pool
        return try await ReaderThreads.pool.runIfActive { try pool.read(value) }
    }

    /// A small write, committed with whatever else is waiting (see `GroupCommitWriter`).
    func write<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await writer.write(work)
    }
}

/// The threads every read runs on. GRDB's own `async` read crosses three threads (its
/// semaphore queue, the reader's queue, back to the caller's); here a read crosses one and back:
/// the thread takes the connection with GRDB's synchronous read, which stays on that thread.
/// Under load that raised the session-and-cart read's rate by half (BENCHMARKS.md). One thread
/// per core: a read holds its thread only while SQLite works, never while a writer does (WAL).
enum ReaderThreads {
    static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: System.coreCount)
        pool.start()
        return pool
    }()
}

extension Database {
    /// One statement, prepared once per connection and kept (GRDB's statement cache): preparing
    /// and authorizing a statement cost more than running it for the small writes of the hot paths.
    func run(sql: String, arguments: StatementArguments = StatementArguments()) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }
}
