import AgoraStore
import GRDB

/// Group commit for small writes (cart lines, sessions, follows, likes, login failures).
///
/// Each request's work runs inside a savepoint of a shared transaction (batched by `CommitQueue`);
/// whoever arrives while a transaction is being committed rides in the next one. A request whose work throws has its
/// savepoint rolled back and gets its error, and the others in the batch commit all the same.
/// Every request is answered only after COMMIT, so an answered write survives `kill -9`. Commits
/// run on one thread of their own, never on the threads that answer requests.
final class GroupCommitWriter: Sendable {
    /// Runs one request's work in the batch's transaction and says how to answer it after COMMIT.
    private struct Job {
        let run: (Database) -> @Sendable () -> Void
        let fail: @Sendable (Error) -> Void
    }

    private let jobs: CommitQueue<Job>

    init(pool: DatabasePool) {
        jobs = CommitQueue(label: "agora.group-commit") { batch in
            do {
                let answers = try pool.write { db in batch.map { $0.run(db) } }
                for answer in answers { answer() }
            } catch {
                for job in batch { job.fail(error) }
            }
        }
    }

    func write<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withUnsafeThrowingContinuation { continuation in  // resumed exactly once: by its answer or by `fail`
            jobs.submit(Job(run: { db in
                do {
                    let value = try Self.inSavepoint(db) { try work(db) }
                    return { continuation.resume(returning: value) }
                } catch {
                    return { continuation.resume(throwing: error) }
                }
            }, fail: { continuation.resume(throwing: $0) }))
        }
    }

    /// One request's work in a savepoint of the batch's transaction, undone alone if it throws.
    /// GRDB's `inSavepoint` prepares its three statements anew each time; cached, they are a
    /// few percent of a small write's CPU less. (GRDB still sees them: a statement's effect on
    /// the transaction is recorded when it is prepared and applied on every run.)
    private static func inSavepoint<T>(_ db: Database, _ work: () throws -> T) throws -> T {
        try db.run(sql: "SAVEPOINT request")
        do {
            let value = try work()
            try db.run(sql: "RELEASE SAVEPOINT request")
            return value
        } catch {
            try db.run(sql: "ROLLBACK TRANSACTION TO SAVEPOINT request")
            try db.run(sql: "RELEASE SAVEPOINT request")
            throw error
        }
    }

    /// Writes waiting for the next batch.
    var waiting: Int { jobs.waiting }

    /// Transactions committed, writes they carried and the largest batch (tests, benchmarks).
    var statistics: (batches: Int, writes: Int, largestBatch: Int) {
        let figures = jobs.statistics
        return (figures.batches, figures.items, figures.largestBatch)
    }
}
