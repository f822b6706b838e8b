import Foundation
import Testing
@testable import AgoraStore

@Suite struct ViewCounterTests {
    @Test func incrementsAreCommittedInBatches() async throws {
        let database = try temporaryDatabase()
        let counter = ViewCounter(database)
        let totals = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<1000 {
                group.addTask { try await counter.increment(.product, index % 2 == 0 ? "A" : "B") }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(totals.sorted() == (Array(1...500) + Array(1...500)).sorted())
        #expect(try CounterStore(database).counts(.product, "A").views == 500)
        #expect(try CounterStore(database).counts(.product, "B").views == 500)
        let statistics = counter.statistics
        #expect(statistics.batches < 1000)  // group commit: fewer transactions than increments
        #expect(statistics.largestBatch > 1)
    }

    @Test func rankingsReadAnIndexInOrderAndSkipWhatIsGone() throws {
        let database = try temporaryDatabase()
        try database.pool.write { db in
            for (key, views) in [("A", 5), ("B", 9), ("C", 7), ("D", 0)] {
                try db.execute(sql: "INSERT INTO counters (kind, key, views) VALUES ('product', ?, ?)", arguments: [key, views])
            }
        }
        let store = CounterStore(database)
        #expect(try store.ranking(.product, by: .views, limit: 10).map(\.key) == ["B", "C", "A"])
        #expect(try store.ranking(.product, by: .views, limit: 2, include: { $0 != "B" }).map(\.key) == ["C", "A"])
        for order in [CounterStore.Order.views, .likes] {
            let plan = try store.rankingPlan(order)
            #expect(plan.contains("INDEX counters_by_\(order.rawValue)"), "\(plan)")
            #expect(!plan.contains("TEMP B-TREE"), "\(plan)")  // no sort step: rows come out of the index in order
        }
    }
}
