import AgoraStore
import AgoraTestSupport
import Foundation
import GRDB
import Testing

/// The store's background upkeep runs as a service of the server: for SQLite, the write-ahead log
/// is copied into the database file while the server runs, not by the writer inside a commit.
@Suite struct StoreUpkeepTests {
    @Test func aRunningServerCopiesTheLogOffTheWriter() async throws {
        let shop = try TestShop()
        let database = shop.store.database
        try await database.pool.write { db in try db.execute(sql: "CREATE TABLE filler (bytes BLOB)") }
        try await shop.run { _ in
            for _ in 0..<30 {  // about 50 pages per commit: past the 1,000 pages SQLite's writer would stop at
                try await database.pool.write { db in
                    try db.execute(sql: """
                        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50)
                        INSERT INTO filler SELECT randomblob(4000) FROM n
                        """)
                }
            }
            // The service's rounds are 200 ms apart. One may come between two of the commits above;
            // the writer then starts the log again from its first frame, so only the end state is sure.
            var log = try WALIndex(databasePath: database.path)
            for _ in 0..<500 where log.copiedFrames != log.logFrames {
                try await Task.sleep(for: .milliseconds(20))
                log = try WALIndex(databasePath: database.path)
            }
            #expect(log.logFrames > 0)
            #expect(log.copiedFrames == log.logFrames)
        }
    }
}
