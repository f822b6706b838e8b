import AgoraStore
import PostgresNIO

/// View increments batched per process (SPEC §11): those that arrive while a batch is being
/// committed ride in the next one, one transaction that writes each counter once. Each is
/// answered after its batch's COMMIT. No timer: under light load a batch is one increment.
final class PostgresViewCounter: Sendable {
    private struct Pending {
        let kind: CounterKind
        let key: String
        let continuation: CheckedContinuation<Int, Error>
    }

    private struct State {
        var pending: [Pending] = []
        var committing = false
    }

    private let database: PostgresDatabase
    private let state = Locked(State())

    init(_ database: PostgresDatabase) {
        self.database = database
    }

    func increment(_ kind: CounterKind, _ key: String) async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let startCommitting = state.withLock { state -> Bool in
                state.pending.append(Pending(kind: kind, key: key, continuation: continuation))
                guard !state.committing else { return false }
                state.committing = true
                return true
            }
            if startCommitting { Task { await self.drain() } }
        }
    }

    private func drain() async {
        while true {
            let batch = state.withLock { state -> [Pending] in
                let batch = state.pending
                state.pending = []
                if batch.isEmpty { state.committing = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            let views = ViewBatch(batch.map { ($0.kind, $0.key) })
            do {
                let finals = try await database.transaction { db in
                    // Rows in key order, so two servers' batches never wait on each other in a circle.
                    var finals = [Int](repeating: 0, count: views.groups.count)
                    let order = views.groups.indices.sorted { (views.groups[$0].kind.rawValue, views.groups[$0].key)
                        < (views.groups[$1].kind.rawValue, views.groups[$1].key) }
                    for index in order {
                        let group = views.groups[index]
                        finals[index] = try await db.rows("""
                            INSERT INTO counters (kind, key, views) VALUES (\(group.kind.rawValue), \(group.key), \(group.count))
                            ON CONFLICT (kind, key) DO UPDATE SET views = counters.views + excluded.views RETURNING views
                            """).first?.decode(Int.self) ?? 0
                    }
                    return finals
                }
                for (item, total) in zip(batch, views.totals(after: finals)) { item.continuation.resume(returning: total) }
            } catch {
                for item in batch { item.continuation.resume(throwing: error) }
            }
        }
    }
}

/// View and like counters in PostgreSQL.
struct PostgresCounters: CounterStore {
    let database: PostgresDatabase
    let views: PostgresViewCounter

    init(database: PostgresDatabase) {
        self.database = database
        views = PostgresViewCounter(database)
    }

    func increment(_ kind: CounterKind, _ key: String) async throws -> Int {
        try await views.increment(kind, key)
    }

    func counts(_ kind: CounterKind, _ key: String) async throws -> (views: Int, likes: Int) {
        guard let row = try await database.rows("SELECT views, likes FROM counters WHERE kind = \(kind.rawValue) AND key = \(key)").first else {
            return (0, 0)
        }
        let (views, likes) = try row.decode((Int, Int).self)
        return (views, likes)
    }

    func ranking(_ kind: CounterKind, by order: RankingOrder, limit: Int,
                 include: @escaping @Sendable (String) -> Bool) async throws -> [RankingEntry] {
        let column = order == .views ? "views" : "likes"
        var result: [RankingEntry] = []
        var offset = 0
        let page = max(limit * 2, 20)
        while result.count < limit {
            let rows = try await database.rows("""
                SELECT key, views, likes FROM counters WHERE kind = \(kind.rawValue) AND \(unescaped: column) > 0
                ORDER BY \(unescaped: column) DESC, key LIMIT \(page) OFFSET \(offset)
                """)
            for row in rows {
                let (key, views, likes) = try row.decode((String, Int, Int).self)
                guard include(key) else { continue }
                result.append(RankingEntry(key: key, views: views, likes: likes))
                if result.count == limit { break }
            }
            if rows.count < page { break }
            offset += page
        }
        return result
    }
}
