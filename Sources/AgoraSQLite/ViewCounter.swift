import AgoraStore
import Foundation
import GRDB

/// View counters with group commit (SPEC §6.6).
///
/// Every increment is answered only after the transaction that holds it has committed, so an
/// answered view survives `kill -9`. Throughput comes from batching, not from answering early:
/// increments that arrive while a transaction is being written wait for the next one, and that
/// next transaction carries all of them. There is no timer; under light load a batch is one
/// increment, under heavy load it is everyone who arrived during the previous commit.
///
/// Each caller gets the total right after its own increment (like Redis `INCR`), so concurrent
/// increments of one key get distinct totals.
final class ViewCounter: Sendable {
    private struct Pending {
        let kind: CounterKind
        let key: String
        let continuation: CheckedContinuation<Int, Error>
    }

    private let database: SQLiteDatabase
    private let increments: CommitQueue<Pending>

    init(_ database: SQLiteDatabase) {
        self.database = database
        increments = CommitQueue(label: "agora.view-counter") { batch in Self.commit(batch, database) }
    }

    /// Adds one view and returns the new total, once it is committed.
    func increment(_ kind: CounterKind, _ key: String) async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            increments.submit(Pending(kind: kind, key: key, continuation: continuation))
        }
    }

    private static func commit(_ batch: [Pending], _ database: SQLiteDatabase) {
        do {
            let views = ViewBatch(batch.map { ($0.kind, $0.key) })
            let totals = try database.pool.write { db -> [Int] in
                let finals = try views.groups.map { group in
                    try Int.fetchOne(db.cachedStatement(sql: """
                        INSERT INTO counters (kind, key, views) VALUES (?, ?, ?)
                        ON CONFLICT (kind, key) DO UPDATE SET views = views + excluded.views
                        RETURNING views
                        """), arguments: [group.kind.rawValue, group.key, group.count]) ?? 0
                }
                return views.totals(after: finals)
            }
            for (item, total) in zip(batch, totals) { item.continuation.resume(returning: total) }
        } catch {
            for item in batch { item.continuation.resume(throwing: error) }
        }
    }

    /// Batches committed and the largest one, for the metrics and the benchmark notes.
    var statistics: (batches: Int, largestBatch: Int) {
        let figures = increments.statistics
        return (figures.batches, figures.largestBatch)
    }
}

/// Counters in SQLite: group-committed view increments and index-ordered rankings.
struct SQLiteCounters: CounterStore {
    let database: SQLiteDatabase
    let views: ViewCounter

    init(_ database: SQLiteDatabase) {
        self.database = database
        views = ViewCounter(database)
    }

    func increment(_ kind: CounterKind, _ key: String) async throws -> Int {
        try await views.increment(kind, key)
    }

    func counts(_ kind: CounterKind, _ key: String) async throws -> (views: Int, likes: Int) {
        try await database.read { db in
            let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT views, likes FROM counters WHERE kind = ? AND key = ?"),
                                       arguments: [kind.rawValue, key])
            return (row?["views"] ?? 0, row?["likes"] ?? 0)
        }
    }

    func ranking(_ kind: CounterKind, by order: RankingOrder, limit: Int,
                 include: @escaping @Sendable (String) -> Bool) async throws -> [RankingEntry] {
        try await database.snapshot { db in
            var result: [RankingEntry] = []
            var offset = 0
            let page = max(limit * 2, 20)
            while result.count < limit {
                let rows = try Row.fetchAll(db.cachedStatement(sql: Self.rankingSQL(order)), arguments: [kind.rawValue, page, offset])
                for row in rows where include(row["key"]) {
                    result.append(RankingEntry(key: row["key"], views: row["views"], likes: row["likes"]))
                    if result.count == limit { break }
                }
                if rows.count < page { break }
                offset += page
            }
            return result
        }
    }

    static func rankingSQL(_ order: RankingOrder) -> String {
        let column = order == .views ? "views" : "likes"
        return "SELECT key, views, likes FROM counters WHERE kind = ? AND \(column) > 0 ORDER BY \(column) DESC, key LIMIT ? OFFSET ?"
    }

    /// SQLite's plan for the ranking query, for tests that it reads an index.
    func rankingPlan(_ order: RankingOrder) throws -> String {
        try database.pool.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + Self.rankingSQL(order), arguments: ["product", 10, 0])
                .map { $0["detail"] as String }.joined(separator: "\n")
        }
    }
}
