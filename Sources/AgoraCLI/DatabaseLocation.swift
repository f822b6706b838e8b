import AgoraPostgres
import AgoraSQLite
import AgoraStore
import ArgumentParser
import Foundation

/// `--site` and `--db` for the commands that work on the shop's database (SPEC §7, §11). They are
/// safe to run while `agora serve` runs: SQLite in WAL mode takes one writer at a time, and
/// PostgreSQL any number.
struct DatabaseLocation: ParsableArguments {
    @Option(name: .long, help: "The site folder (default: the current directory).")
    var site: String?

    @Option(name: .long, help: ArgumentHelp(StoreOpener.help))
    var db: String?

    var siteFolder: URL {
        URL(fileURLWithPath: site ?? FileManager.default.currentDirectoryPath, isDirectory: true)
    }

    /// The shop's store.
    func open() async throws -> any ShopStore {
        do {
            return try await StoreOpener.open(db, root: siteFolder)
        } catch {
            throw ValidationError(error.description)
        }
    }
}

/// Picks the store from `--db`, then `AGORA_DATABASE_URL`, then the embedded default (SPEC §11).
enum StoreOpener {
    static let help = "The database: a SQLite file relative to the site folder, or a postgres:// URL "
        + "(default: $AGORA_DATABASE_URL if set, else data/agora.sqlite)."

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func open(_ db: String?, root: URL, sessionRules: SessionRules = .standard) async throws(Failure) -> any ShopStore {
        let environment = ProcessInfo.processInfo.environment["AGORA_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
        let choice = db ?? environment ?? "data/agora.sqlite"
        if PostgresURL.isPostgres(choice) {
            guard let url = PostgresURL(choice) else { throw Failure(description: "\(choice) is not a PostgreSQL URL I can read") }
            // A server that dies while sending leaves its claimed mail to the others after this long.
            let lease = ProcessInfo.processInfo.environment["AGORA_MAIL_LEASE"].flatMap { Int64($0) } ?? 120
            do {
                return try await PostgresStore(url: url, mailLease: lease, sessionRules: sessionRules)
            } catch {
                throw Failure(description: "cannot open the database \(url.redacted): \(error)")
            }
        }
        let path = URL(fileURLWithPath: choice, relativeTo: root).standardizedFileURL.path
        do {
            return try SQLiteStore(path: path, sessionRules: sessionRules)
        } catch {
            throw Failure(description: "cannot open the database \(path): \(error)")
        }
    }
}

/// Prints a message on stderr and exits 1.
func exitWithError(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data("agora: \(message)\n".utf8))
    return ExitCode(1)
}
