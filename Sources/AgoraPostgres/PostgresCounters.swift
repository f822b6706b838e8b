import AgoraStore
import PostgresNIO

/// View and like counters in PostgreSQL. An increment is one statement that adds and returns the
/// total, answered after its commit; concurrent increments of one key queue on its row.
struct PostgresCounters: CounterStore {
    let database: PostgresDatabase

    func increment(_ kind: CounterKind, _ key: String) async throws -> Int {
        try await database.rows("""
            INSERT INTO counters (kind, key, views) VALUES (\(kind.rawValue), \(key), 1)
            ON CONFLICT (kind, key) DO UPDATE SET views = counters.views + 1 RETURNING views
            """).first?.decode(Int.self) ?? 0
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
