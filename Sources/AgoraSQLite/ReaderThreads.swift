import Foundation
import GRDB

/// The threads every read runs on, one per core, each with a read-only connection of its own for
/// as long as the database is open.
///
/// A thread enters its connection once (`DatabaseQueue.inDatabase`) and runs reads inside it until
/// the database is closed, so a read pays for no pool: it is queued here, run on a free thread and
/// answered through its continuation. Taking a connection from GRDB's `DatabasePool` for every read
/// (its lock, semaphore and queue hops), generic code GRDB and NIO's thread pool instantiate at run
/// time, and a checked continuation with a cancellation handler cost four times the statement a
/// cheap read runs (BENCHMARKS.md). A read holds its thread only while SQLite works, never while a
/// writer does (WAL), so the cooperative threads that answer requests never wait on SQLite.
final class ReaderThreads: @unchecked Sendable {
    private typealias Job = (Database) -> Void

    // `jobs` and `stopping` are guarded by `condition`.
    private let condition = NSCondition()
    private var jobs: [Job] = []
    private var stopping = false

    /// Opens `count` read-only connections to the file at `path` (created and migrated already).
    init(path: String, configuration: Configuration, count: Int = ProcessInfo.processInfo.activeProcessorCount) throws {
        var configuration = configuration
        configuration.readonly = true
        configuration.label = (configuration.label ?? "agora") + ".reader"
        for index in 0..<max(1, count) {
            let connection = try DatabaseQueue(path: path, configuration: configuration)
            let thread = Thread { [self] in serve(connection) }
            thread.name = "agora-reader-\(index)"
            thread.start()
        }
    }

    /// Runs `body` on a reader thread; no transaction around it unless `body` opens one.
    func run<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withUnsafeThrowingContinuation { continuation in
            let queued = enqueue { db in continuation.resume(with: Result { try body(db) }) }
            if !queued {
                continuation.resume(throwing: DatabaseError(resultCode: .SQLITE_MISUSE, message: "the database is closed"))
            }
        }
    }

    /// The threads run the reads already asked for, then end (and close their connections);
    /// reads asked for after this fail.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    private func enqueue(_ job: @escaping Job) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping else { return false }
        jobs.append(job)
        condition.signal()
        return true
    }

    private func next() -> Job? {
        condition.lock()
        defer { condition.unlock() }
        while jobs.isEmpty && !stopping { condition.wait() }
        return jobs.isEmpty ? nil : jobs.removeFirst()
    }

    private func serve(_ connection: DatabaseQueue) {
        connection.inDatabase { db in
            while let job = next() { job(db) }
        }
    }
}
