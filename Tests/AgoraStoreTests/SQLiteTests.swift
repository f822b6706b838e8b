import AgoraStore
import AgoraTestSupport
import Dispatch
import Foundation
import GRDB
import Testing
@testable import AgoraSQLite

/// What only the SQLite backend has: WAL, recorded migrations, and group commit.
@Suite struct SQLiteTests {
    /// A logged-in visitor's burst of requests reads the session once; a change made by another
    /// process (`agora users set-admin` beside the server) reaches the session within
    /// `SessionCache.freshness` seconds.
    @Test func aSessionReadAMomentAgoIsNotReadAgain() async throws {
        let clock = ManualClock(1_800_000_000)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("agora-store-\(UUID().uuidString)")
        let path = folder.appendingPathComponent("agora.sqlite").path
        let server = try SQLiteStore(path: path, clock: clock, countStatements: true)
        _ = try await server.accountRules.create(username: "bob", email: "bob@example.com", name: "Bob", password: "correct horse")
        let account = try #require(try await server.accounts.account(username: "bob"))
        let (secret, _) = try await server.sessions.logIn(account, replacing: nil) { _ in nil }
        let before = server.database.statementCount
        #expect(try await server.sessions.find(secret: secret)?.account?.isAdmin == false)
        let afterFirst = server.database.statementCount
        #expect(afterFirst > before)
        #expect(try await server.sessions.find(secret: secret)?.account?.isAdmin == false)
        #expect(server.database.statementCount == afterFirst)

        let otherProcess = try SQLiteStore(path: path, clock: clock)
        try await otherProcess.accounts.setAdmin("bob", true)
        clock.time += SessionCache.freshness
        #expect(try await server.sessions.find(secret: secret)?.account?.isAdmin == true)
    }

    @Test func opensInWALModeAndMigratesOnce() async throws {
        let store = try temporarySQLiteStore()
        #expect(try store.database.journalMode() == "wal")
        #expect(await store.isHealthy())
        let again = try SQLiteStore(path: store.database.path)  // migrations are recorded, not re-run
        let applied = try await again.database.pool.read { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") }
        #expect(applied.count == Set(applied).count)
        #expect(applied.first?.hasPrefix("v1:") == true)
        let synchronous = try await store.database.pool.read { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(synchronous == 1)  // NORMAL
    }

    @Test func manyConcurrentCartWritesCommitInFewerTransactions() async throws {
        let store = try temporarySQLiteStore()
        let carts = store.carts
        try await withThrowingTaskGroup(of: Cart.self) { group in
            for index in 0..<400 {
                group.addTask { try await carts.add(sencha, quantity: 1, replace: false, to: .session("s\(index % 100)")) }
            }
            try await group.waitForAll()
        }
        let statistics = store.groupCommitStatistics
        #expect(statistics.writes == 400)
        #expect(statistics.batches < statistics.writes)
        #expect(statistics.largestBatch > 1)
        for index in 0..<100 { #expect(try await carts.cart(.session("s\(index)")).count == 4) }
    }

    /// A refused write in a batch is rolled back to its savepoint; the others commit. The first
    /// write holds the writer until the rest are queued, so they are certain to share a batch.
    @Test func aRefusedWriteInABatchLeavesTheOthersCommitted() async throws {
        let store = try temporarySQLiteStore()
        let database = store.database
        let gate = DispatchSemaphore(value: 0)
        let holder = Task {
            try await database.write { db in
                gate.wait()
                try db.execute(sql: "INSERT INTO sessions (id_hash, account_id, created_at, expires_at) VALUES ('first', NULL, 0, 9)")
            }
        }
        while store.groupCommitStatistics.batches == 0 { try await Task.sleep(for: .milliseconds(5)) }
        let batch = (0..<10).map { index in
            Task { () -> Error? in
                await failure {
                    try await database.write { db in
                        try db.execute(sql: "INSERT INTO sessions (id_hash, account_id, created_at, expires_at) VALUES (?, NULL, 0, 9)",
                                       arguments: ["s\(index)"])
                        if index == 3 { throw ShopError.emptyCart }  // refused after writing: its row must go
                        if index == 6 {  // a constraint failure: the same primary key twice
                            try db.execute(sql: "INSERT INTO sessions (id_hash, account_id, created_at, expires_at) VALUES ('s6', NULL, 0, 9)")
                        }
                    }
                }
            }
        }
        while database.writer.waiting < 10 { try await Task.sleep(for: .milliseconds(5)) }
        gate.signal()
        try await holder.value
        var errors: [Int: Error] = [:]
        for (index, task) in batch.enumerated() { if let error = await task.value { errors[index] = error } }
        #expect(errors.keys.sorted() == [3, 6])
        #expect(errors[3] as? ShopError == .emptyCart)
        let stored = try await database.pool.read { db in try String.fetchAll(db, sql: "SELECT id_hash FROM sessions ORDER BY id_hash") }
        #expect(stored == ["first", "s0", "s1", "s2", "s4", "s5", "s7", "s8", "s9"])
        #expect(store.groupCommitStatistics.batches == 2)  // the held one, then all ten together
    }

    /// The writer never checkpoints inside a commit at SQLite's usual 1,000 pages; `checkpoint()`,
    /// from a connection of its own, copies the whole log.
    @Test func theLogIsCopiedByTheCheckpointerNotTheWriter() async throws {
        let store = try temporarySQLiteStore()
        let database = store.database
        try await database.write { db in try db.execute(sql: "CREATE TABLE filler (bytes BLOB)") }
        for _ in 0..<30 {  // about 50 pages per commit
            try await database.write { db in
                try db.execute(sql: """
                    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50)
                    INSERT INTO filler SELECT randomblob(4000) FROM n
                    """)
            }
        }
        let written = try WALIndex(databasePath: database.path)
        #expect(written.logFrames > 1_400)
        #expect(written.copiedFrames == 0)

        let checkpoint = try await database.checkpoint()
        #expect(checkpoint.logPages == written.logFrames)
        #expect(checkpoint.copiedPages == written.logFrames)
        #expect(try WALIndex(databasePath: database.path).copiedFrames == written.logFrames)
        #expect(try await database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM filler") } == 1_500)
    }

    /// A new action's dedupe check reads only the actor's last minute, by index: before, it read
    /// every action of the actor whenever none matched, inside the group commit.
    @Test func theDedupeCheckReadsOnlyTheWindow() async throws {
        let store = try temporarySQLiteStore()
        let plan = try await store.database.pool.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + SQLiteSocial.recordSQL,
                             arguments: ["ana", "follows", "person", "bea", 100, 40]).map { $0["detail"] as String }
        }
        #expect(plan.contains("SEARCH actions USING INDEX actions_by_actor_time (actor=? AND created_at>?)"), "\(plan)")
    }
}
