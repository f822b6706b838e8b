import AgoraServer
import AgoraStore
import ArgumentParser
import Foundation

struct Doctor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the database: integrity, the denormalized follower, following and like counts, accounts that share a profile's username, and rows due for purging.",
        discussion: "Counts are recomputed from the follow and like rows; --fix-counts writes the true values."
    )

    @Flag(name: .long, help: "Correct every count that drifted.")
    var fixCounts = false

    @OptionGroup var database: DatabaseLocation

    func run() async throws {
        let db = try await database.open()
        guard await db.isHealthy() else { throw exitWithError("the database fails SQLite's integrity check") }
        // Shoppers who share a username with a profile (SPEC §6.11): named, not an error.
        if let catalog = try? LiveCatalog(output: database.siteFolder.appendingPathComponent("output")) {
            for account in try await db.accounts.profileConflicts(people: Set(catalog.current.people.keys)) {
                print("account: \(account.username) registered as a shopper and is also a profile's username; it stays a shopper "
                    + "(shown as \"\(account.name)\") until `agora users link \(account.username)`")
            }
        }
        // Purged by the server itself (at start and hourly); a large number means no server ran.
        let due = try await db.housekeeping.due()
        print(due.total == 0 ? "Nothing is due for purging." : "Due for purging by the server: \(due).")
        let drifts = try await db.social.countDrifts(fix: fixCounts)
        for drift in drifts { print("drift: \(drift)") }
        if drifts.isEmpty {
            print("Database is healthy; all counts match.")
        } else if fixCounts {
            print("Fixed \(drifts.count) count\(drifts.count == 1 ? "" : "s").")
        } else {
            print("\(drifts.count) count\(drifts.count == 1 ? "" : "s") drifted; run `agora doctor --fix-counts` to correct them.")
            throw ExitCode(1)
        }
    }
}
