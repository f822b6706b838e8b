import AgoraPostgres
import AgoraSQLite
import AgoraStore
import ArgumentParser
import Foundation

/// `agora db copy`: moves a shop from its SQLite file into an empty PostgreSQL database (SPEC §11).
struct DatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Move the shop's data between databases.",
        subcommands: [Copy.self]
    )

    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "copy",
            abstract: "Copy a SQLite shop into an empty PostgreSQL database.",
            discussion: """
            Reads every table of the SQLite file in one snapshot (the shop may keep running) and writes \
            it into the PostgreSQL database in one transaction: accounts, sessions, carts, orders, follows, \
            likes, actions, counters and the outbox. The row counts are checked before the transaction \
            commits; a database that already holds a shop's data is refused, and nothing is written. \
            Sessions are copied too, so logged-in shoppers keep their carts. Stop the SQLite server before \
            starting the PostgreSQL ones, or writes made in between stay behind.
            """
        )

        @Option(name: .long, help: "The site folder (default: the current directory).")
        var site: String?

        @Option(name: .long, help: "The SQLite database file, relative to the site folder.")
        var from = "data/agora.sqlite"

        @Option(name: .long, help: "The PostgreSQL database: a postgres:// URL.")
        var to: String

        func run() async throws {
            let root = URL(fileURLWithPath: site ?? FileManager.default.currentDirectoryPath, isDirectory: true)
            let path = URL(fileURLWithPath: from, relativeTo: root).standardizedFileURL.path
            guard FileManager.default.fileExists(atPath: path) else { throw exitWithError("no SQLite database at \(path)") }
            guard let url = PostgresURL(to) else { throw exitWithError("--to must be a postgres:// URL") }
            let source: SQLiteStore
            let target: PostgresStore
            do {
                source = try SQLiteStore(path: path)
                target = try await PostgresStore(url: url)
            } catch {
                throw exitWithError("\(error)")
            }
            do {
                let dump = try await source.dump()
                try await target.load(dump)
                await target.close()
                let figures = dump.counts.filter { $0.rows > 0 }.map { "\($0.rows) \($0.table)" }.joined(separator: ", ")
                print("Copied \(path) into \(url.redacted): \(figures.isEmpty ? "no rows" : figures). Row counts match.")
            } catch {
                await target.close()
                throw exitWithError("nothing copied: \(error)")
            }
        }
    }
}
