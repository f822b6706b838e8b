import AgoraSQLite
import AgoraStore
import ArgumentParser
import Foundation

/// `--site` and `--db` for the commands that work on the shop's database (SPEC §7). They are
/// safe to run while `agora serve` runs: SQLite in WAL mode takes one writer at a time.
struct DatabaseLocation: ParsableArguments {
    @Option(name: .long, help: "The site folder (default: the current directory).")
    var site: String?

    @Option(name: .long, help: "The SQLite database file, relative to the site folder.")
    var db = "data/agora.sqlite"

    var siteFolder: URL {
        URL(fileURLWithPath: site ?? FileManager.default.currentDirectoryPath, isDirectory: true)
    }

    /// The shop's store (SQLite: the embedded default).
    func open() throws -> any ShopStore {
        let root = siteFolder
        let path = URL(fileURLWithPath: db, relativeTo: root).standardizedFileURL.path
        do {
            return try SQLiteStore(path: path)
        } catch {
            throw ValidationError("cannot open the database \(path): \(error)")
        }
    }
}

/// Prints a message on stderr and exits 1.
func exitWithError(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data("agora: \(message)\n".utf8))
    return ExitCode(1)
}
