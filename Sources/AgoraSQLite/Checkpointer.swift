import GRDB

/// Copies the write-ahead log into the database file from a connection of its own, so the writer
/// never does it inside a commit.
///
/// Left to SQLite, the connection that commits past `wal_autocheckpoint` pages runs the checkpoint
/// itself before its commit returns, and that is the group-commit writer: every write waiting for
/// the next batch then also waits for the log's `fdatasync` (5–7 ms on this project's benchmark
/// disk, several times a second under load), which set the p99 of every small write. A passive
/// checkpoint from another connection takes no write lock: the writer keeps committing while the
/// pages are copied and synced. The writer keeps a high `wal_autocheckpoint` as a backstop, for
/// tools that open the database without a server and for a checkpointer that falls behind.
final class Checkpointer: Sendable {
    /// Pages of log the writer lets pile up before it checkpoints by itself (about 40 MB).
    static let writerBackstopPages = 10_000

    private let connection: DatabaseQueue

    init(path: String, configuration: Configuration) throws {
        var configuration = configuration
        configuration.label = (configuration.label ?? "agora") + ".checkpointer"
        connection = try DatabaseQueue(path: path, configuration: configuration)
    }

    /// One passive checkpoint: every page no reader still needs is copied and the file synced.
    /// Blocks while it works; call it from a thread kept for blocking work.
    func checkpoint() throws -> WALCheckpoint {
        try connection.inDatabase { db in
            guard let row = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(PASSIVE)") else { return WALCheckpoint(logPages: 0, copiedPages: 0) }
            return WALCheckpoint(logPages: row[1], copiedPages: row[2])
        }
    }
}

/// What one checkpoint found: the pages in the log, and how many of them are now in the database file.
public struct WALCheckpoint: Sendable, Equatable {
    public let logPages: Int
    public let copiedPages: Int
}
