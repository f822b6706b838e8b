import AgoraStore
import Foundation
import GRDB

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
    /// Where `read` and `snapshot` run.
    private let readers: ReaderThreads
    /// Moves the log into the database file when the server asks (`checkpoint()`), off the writer.
    private let checkpointer: Checkpointer
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
            // The server's checkpointer copies the log long before this (see `Checkpointer`).
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(Checkpointer.writerBackstopPages)")
        }
        let untraced = configuration  // the checkpointer's statements are no request's
        if let statements {
            configuration.prepareDatabase { db in db.trace(options: .statement) { _ in statements.withLock { $0 += 1 } } }
        }
        self.statements = statements
        pool = try DatabasePool(path: path, configuration: configuration)
        self.path = path
        self.clock = clock
        writer = GroupCommitWriter(pool: pool)
        try Migrations.migrator.migrate(pool)
        readers = try ReaderThreads(path: path, configuration: configuration)
        checkpointer = try Checkpointer(path: path, configuration: untraced)
    }

    deinit {
        readers.stop()
    }

    /// Statements run so far (0 unless made with `countStatements`).
    public var statementCount: Int { statements?.withLock { $0 } ?? 0 }

    /// `PRAGMA quick_check` says "ok".
    public func isHealthy() async -> Bool {
        (try? await read { db in try String.fetchOne(db, sql: "PRAGMA quick_check") }) == "ok"
    }

    /// One passive checkpoint of the write-ahead log, on a thread kept for blocking work; the
    /// writer goes on committing meanwhile.
    public func checkpoint() async throws -> WALCheckpoint {
        try await BlockingWork.run { [checkpointer] in try checkpointer.checkpoint() }
    }

    /// The journal mode SQLite reports (`wal`).
    public func journalMode() throws -> String {
        try pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }

    /// One statement's read: no transaction around it (a single statement reads one snapshot),
    /// on the reader threads, never on the caller's.
    func read<T: Sendable>(_ value: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await readers.run(value)
    }

    /// Several statements that must see one snapshot.
    func snapshot<T: Sendable>(_ value: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await readers.run { db in
            var result: T?
            try db.inTransaction(.deferred) {
                result = try value(db)
                return .commit
            }
            guard let result else { throw DatabaseError(resultCode: .SQLITE_ERROR, message: "a snapshot read gave no result") }
            return result
        }
    }

    /// A small write, committed with whatever else is waiting (see `GroupCommitWriter`).
    func write<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await writer.write(work)
    }
}

extension Database {
    /// One statement, prepared once per connection and kept (GRDB's statement cache): preparing
    /// and authorizing a statement cost more than running it for the small writes of the hot paths.
    func run(sql: String, arguments: StatementArguments = StatementArguments()) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }
}
