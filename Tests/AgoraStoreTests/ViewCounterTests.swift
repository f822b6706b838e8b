import AgoraStore
import Foundation
import GRDB
import Testing
@testable import AgoraSQLite

@Suite struct ViewCounterTests {
    @Test(arguments: Backend.allCases) func concurrentIncrementsGetDistinctTotals(_ backend: Backend) async throws {
        let counters = try await backend.makeStore().counters
        let totals = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<1000 {
                group.addTask { try await counters.increment(.product, index % 2 == 0 ? "A" : "B") }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(totals.sorted() == (Array(1...500) + Array(1...500)).sorted())
        #expect(try await counters.counts(.product, "A").views == 500)
        #expect(try await counters.counts(.product, "B").views == 500)
    }

    @Test func sqliteIncrementsAreCommittedInBatches() async throws {
        let store = try temporarySQLiteStore()
        let counters = try #require(store.counters as? SQLiteCounters)
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<1000 { group.addTask { try await counters.increment(.product, "A") } }
            try await group.waitForAll()
        }
        let statistics = counters.views.statistics
        #expect(statistics.batches < 1000)  // group commit: fewer transactions than increments
        #expect(statistics.largestBatch > 1)
    }

    @Test(arguments: Backend.allCases) func rankingsSkipWhatIsGone(_ backend: Backend) async throws {
        let counters = try await backend.makeStore().counters
        for (key, views) in [("A", 5), ("B", 9), ("C", 7), ("D", 0)] {
            for _ in 0..<views { _ = try await counters.increment(.product, key) }
        }
        #expect(try await counters.ranking(.product, by: .views, limit: 10, include: { _ in true }).map(\.key) == ["B", "C", "A"])
        #expect(try await counters.ranking(.product, by: .views, limit: 2, include: { $0 != "B" }).map(\.key) == ["C", "A"])
    }

    @Test func sqliteRankingsReadAnIndexInOrder() throws {
        let counters = SQLiteCounters(try temporarySQLiteStore().database)
        for order in [RankingOrder.views, .likes] {
            let plan = try counters.rankingPlan(order)
            #expect(plan.contains("INDEX counters_by_\(order.rawValue)"), "\(plan)")
            #expect(!plan.contains("TEMP B-TREE"), "\(plan)")  // no sort step: rows come out of the index in order
        }
    }
}
