import Foundation

/// A PostgreSQL cluster of the tests' own: made with `initdb` in a temporary folder, listening
/// only on a Unix socket there, started once per test process and stopped by a watcher when the
/// process ends (however it ends). PostgreSQL refuses to run as root, so as root the cluster
/// runs as the `postgres` user. `AGORA_TEST_POSTGRES` (a folder holding a running cluster's
/// socket) skips the start.
public enum TestPostgres {
    public struct Cluster: Sendable {
        /// The folder holding the socket `.s.PGSQL.5432`.
        public let socketFolder: String
        public let user = "agora"
        let binaries: String

        /// A new, empty database, for one test; its `postgres://` URL.
        public func makeDatabase() throws -> String {
            let name = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
            try TestPostgres.run(binaries + "/createdb", ["-h", socketFolder, "-p", "5432", "-U", user, name])
            return url(database: name)
        }

        public func url(database: String) -> String {
            "postgresql:///\(database)?host=\(socketFolder)&user=\(user)"
        }
    }

    /// The cluster, started on first use.
    public static func cluster() throws -> Cluster {
        try shared.get()
    }

    private static let shared = Result { try start() }

    static func start() throws -> Cluster {
        let binaries = try binariesFolder()
        if let folder = ProcessInfo.processInfo.environment["AGORA_TEST_POSTGRES"], !folder.isEmpty {
            return Cluster(socketFolder: folder, binaries: binaries)
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("agora-pg-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let asRoot = getuid() == 0
        if asRoot { try run("/bin/chown", ["postgres:postgres", folder]) }
        let owner = asRoot ? ["/usr/sbin/runuser", "-u", "postgres", "--"] : []
        try run(owner + [binaries + "/initdb", "-D", folder + "/data", "-U", "agora", "-A", "trust", "-E", "UTF8", "--no-sync"])
        // The watcher stops the server when this process is gone, then removes the folder.
        let server = [binaries + "/postgres", "-D", folder + "/data", "-k", folder, "-p", "5432", "-c", "listen_addresses=",
                      "-c", "fsync=off", "-c", "max_connections=400", "-c", "shared_buffers=64MB"]
            .map { "'\($0)'" }.joined(separator: " ")
        let watcher = """
            \(server) >'\(folder)/postgres.log' 2>&1 & server=$!
            while [ -d /proc/\(getpid()) ] && kill -0 $server 2>/dev/null; do sleep 1; done
            kill -INT $server 2>/dev/null; wait $server; rm -rf '\(folder)'
            """
        _ = try ChildProcess(owner.first ?? "/bin/sh", Array(owner.dropFirst()) + (asRoot ? ["/bin/sh"] : []) + ["-c", watcher])
        for _ in 0..<300 {
            if (try? run(binaries + "/pg_isready", ["-h", folder, "-p", "5432", "-U", "agora"])) != nil {
                return Cluster(socketFolder: folder, binaries: binaries)
            }
            usleep(100_000)
        }
        let log = (try? String(contentsOfFile: folder + "/postgres.log", encoding: .utf8)) ?? ""
        throw TestPostgresError.didNotStart(log)
    }

    /// A cluster of one test's own that the test can stop and start again (a database going down),
    /// removed when the test process ends.
    public final class RestartableCluster: Sendable {
        public let socketFolder: String
        let binaries: String
        let owner: [String]

        init() throws {
            binaries = try TestPostgres.binariesFolder()
            socketFolder = FileManager.default.temporaryDirectory.appendingPathComponent("agora-pg-\(UUID().uuidString.prefix(8))").path
            try FileManager.default.createDirectory(atPath: socketFolder, withIntermediateDirectories: true)
            let asRoot = getuid() == 0
            if asRoot { try TestPostgres.run("/bin/chown", ["postgres:postgres", socketFolder]) }
            owner = asRoot ? ["/usr/sbin/runuser", "-u", "postgres", "--"] : []
            try TestPostgres.run(owner + [binaries + "/initdb", "-D", socketFolder + "/data", "-U", "agora", "-A", "trust", "-E", "UTF8", "--no-sync"])
            try start()
            // Stopped and removed when this process is gone.
            _ = try ChildProcess(owner.first ?? "/bin/sh", Array(owner.dropFirst()) + (owner.isEmpty ? [] : ["/bin/sh"]) + ["-c", """
                while [ -d /proc/\(getpid()) ]; do sleep 1; done
                '\(binaries)/pg_ctl' -D '\(socketFolder)/data' stop -m immediate >/dev/null 2>&1; rm -rf '\(socketFolder)'
                """])
            try TestPostgres.run(binaries + "/createdb", ["-h", socketFolder, "-p", "5432", "-U", "agora", "shop"])
        }

        public var url: String { "postgresql:///shop?host=\(socketFolder)&user=agora" }

        public func start() throws {
            try pgCtl(["-l", socketFolder + "/log", "-o", "-k \(socketFolder) -p 5432 -c listen_addresses= -c fsync=off", "start"])
        }

        public func stop() throws {
            try pgCtl(["-m", "fast", "stop"])
        }

        /// `pg_ctl -w`, waited for with `waitpid` (`ChildProcess`): Foundation's `Process` did not
        /// notice the exit of a `pg_ctl start` whose server lives on.
        private func pgCtl(_ arguments: [String]) throws {
            let command = (owner + [binaries + "/pg_ctl", "-D", socketFolder + "/data", "-w"] + arguments).map { "'\($0)'" }
            let shell = ["/bin/sh", "-c", command.joined(separator: " ") + " >>'\(socketFolder)/pg_ctl.log' 2>&1"]
            guard try ChildProcess(shell[0], Array(shell.dropFirst())).wait() == 0 else {
                throw TestPostgresError.commandFailed(shell.joined(separator: " "), "see \(socketFolder)/log")
            }
        }
    }

    public static func restartableCluster() throws -> RestartableCluster {
        try RestartableCluster()
    }

    /// `pg_config --bindir`, or Debian's folder for the newest installed version.
    static func binariesFolder() throws -> String {
        if let output = try? capture("/usr/bin/pg_config", ["--bindir"]), !output.isEmpty,
           FileManager.default.fileExists(atPath: output + "/initdb") {
            return output
        }
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        for version in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
            let folder = "/usr/lib/postgresql/\(version)/bin"
            if FileManager.default.fileExists(atPath: folder + "/initdb") { return folder }
        }
        throw TestPostgresError.notInstalled
    }

    static func run(_ command: [String]) throws {
        try run(command[0], Array(command.dropFirst()))
    }

    static func run(_ executable: String, _ arguments: [String]) throws {
        _ = try capture(executable, arguments)
    }

    @discardableResult
    static func capture(_ executable: String, _ arguments: [String]) throws -> String {
        let child = try ChildProcess(executable, arguments, output: .pipe, error: .output)
        let text = String(decoding: child.readToEnd(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard child.wait() == 0 else {
            throw TestPostgresError.commandFailed(([executable] + arguments).joined(separator: " "), text)
        }
        return text
    }
}

public enum TestPostgresError: Error, CustomStringConvertible {
    case notInstalled
    case commandFailed(String, String)
    case didNotStart(String)

    public var description: String {
        switch self {
        case .notInstalled: return "PostgreSQL is not installed (no pg_config, no /usr/lib/postgresql/*/bin/initdb)"
        case .commandFailed(let command, let output): return "\(command) failed: \(output)"
        case .didNotStart(let log): return "the test cluster did not start: \(log)"
        }
    }
}
