import AgoraStore
import Dispatch

/// The batching both group-committing writers share: items queue; one thread of its own takes
/// everything waiting, hands it to `commit` as one batch, and repeats until nobody waits. There
/// is no timer: under light load a batch is one item, under heavy load everyone who arrived
/// during the previous commit. `commit` answers its items itself, after its transaction.
final class CommitQueue<Item>: @unchecked Sendable {
    // `state` is behind its lock; `commit` runs only on `queue`, one batch at a time.
    private struct State {
        var pending: [Item] = []
        var writing = false
        var batches = 0
        var items = 0
        var largestBatch = 0
    }

    private let state = Locked(State())
    private let queue: DispatchQueue
    private let commit: ([Item]) -> Void

    init(label: String, commit: @escaping ([Item]) -> Void) {
        queue = DispatchQueue(label: label)
        self.commit = commit
    }

    func submit(_ item: Item) {
        let startWriter = state.withLock { state -> Bool in
            state.pending.append(item)
            guard !state.writing else { return false }
            state.writing = true
            return true
        }
        if startWriter { queue.async { self.drain() } }
    }

    private func drain() {
        while true {
            let batch = state.withLock { state -> [Item] in
                let batch = state.pending
                state.pending = []
                if batch.isEmpty {
                    state.writing = false
                } else {
                    state.batches += 1
                    state.items += batch.count
                    state.largestBatch = max(state.largestBatch, batch.count)
                }
                return batch
            }
            guard !batch.isEmpty else { return }
            commit(batch)
        }
    }

    /// Items waiting for the next batch.
    var waiting: Int { state.withLock { $0.pending.count } }

    /// Batches committed, items they carried and the largest batch (tests, benchmarks).
    var statistics: (batches: Int, items: Int, largestBatch: Int) {
        state.withLock { ($0.batches, $0.items, $0.largestBatch) }
    }
}
