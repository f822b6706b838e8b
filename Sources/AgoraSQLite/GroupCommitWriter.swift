import AgoraStore
import Dispatch
import GRDB

/// Group commit for small writes (cart lines, sessions, follows, likes, login failures).
///
/// Each request's work runs inside a savepoint of a shared transaction; whoever arrives while a
/// transaction is being committed rides in the next one. A request whose work throws has its
/// savepoint rolled back and gets its error, and the others in the batch commit all the same.
/// Every request is answered only after COMMIT, so an answered write survives `kill -9`. Commits
/// run on one thread of their own, never on the threads that answer requests. There is no
/// timer: under light load a batch is one request, under heavy load everyone who arrived during
/// the previous commit.
final class GroupCommitWriter: Sendable {
    /// Runs one request's work in the batch's transaction and says how to answer it after COMMIT.
    private struct Job {
        let run: (Database) -> @Sendable () -> Void
        let fail: @Sendable (Error) -> Void
    }

    private struct State {
        var pending: [Job] = []
        var writing = false
        var batches = 0
        var writes = 0
        var largestBatch = 0
    }

    private let pool: DatabasePool
    private let state = Locked(State())
    private let queue = DispatchQueue(label: "agora.group-commit")

    init(pool: DatabasePool) {
        self.pool = pool
    }

    func write<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let job = Job(run: { db in
                do {
                    var value: T?
                    try db.inSavepoint {
                        value = try work(db)
                        return .commit
                    }
                    guard let value else { return { continuation.resume(throwing: GroupCommitError.noResult) } }
                    return { continuation.resume(returning: value) }
                } catch {
                    return { continuation.resume(throwing: error) }
                }
            }, fail: { continuation.resume(throwing: $0) })
            let startWriter = state.withLock { state -> Bool in
                state.pending.append(job)
                guard !state.writing else { return false }
                state.writing = true
                return true
            }
            if startWriter { queue.async { self.drain() } }
        }
    }

    /// Commits batch after batch until nobody is waiting.
    private func drain() {
        while true {
            let batch = state.withLock { state -> [Job] in
                let batch = state.pending
                state.pending = []
                if batch.isEmpty {
                    state.writing = false
                } else {
                    state.batches += 1
                    state.writes += batch.count
                    state.largestBatch = max(state.largestBatch, batch.count)
                }
                return batch
            }
            guard !batch.isEmpty else { return }
            do {
                let answers = try pool.write { db in batch.map { $0.run(db) } }
                for answer in answers { answer() }
            } catch {
                for job in batch { job.fail(error) }
            }
        }
    }

    /// Writes waiting for the next batch.
    var waiting: Int { state.withLock { $0.pending.count } }

    /// Transactions committed, writes they carried and the largest batch (tests, benchmarks).
    var statistics: (batches: Int, writes: Int, largestBatch: Int) {
        state.withLock { ($0.batches, $0.writes, $0.largestBatch) }
    }
}

enum GroupCommitError: Error {
    case noResult
}
