import Foundation
import ServiceLifecycle

/// What a build leaves in the output folder that the server reads: the manifests and the names of
/// the theme's hashed assets. Two equal stamps mean no build happened in between.
struct BuildStamp: Equatable, Sendable {
    struct FileState: Equatable, Sendable {
        let size: Int64
        let modified: Int64
        let inode: UInt64
    }

    let manifests: [FileState?]
    let assetNames: [String]

    static func of(_ output: URL) -> BuildStamp {
        let manifests = ["catalog.json", "people.json"].map { state(output.appendingPathComponent($0).path) }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: output.appendingPathComponent("assets").path)) ?? []
        return BuildStamp(manifests: manifests, assetNames: names.sorted())
    }

    private static func state(_ path: String) -> FileState? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return FileState(size: Int64(info.st_size), modified: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec),
                         inode: UInt64(info.st_ino))
    }
}

/// Notices a new build in the output folder by itself (SPEC §3.1; "deploys that cannot break the
/// live pages") and calls `changed` once the output has settled, so the server's own pages switch
/// to the new manifests and stylesheet without a SIGHUP. Polling a few stats a second costs
/// nothing measurable and works on every file system, network mounts included.
public struct BuildWatch: Service {
    let output: URL
    let interval: Duration
    let changed: @Sendable () async -> Void

    public init(output: URL, interval: Duration = .seconds(1), changed: @escaping @Sendable () async -> Void) {
        self.output = output
        self.interval = interval
        self.changed = changed
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var seen = BuildStamp.of(output)
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: interval)
                    guard BuildStamp.of(output) != seen else { continue }
                    // A build moves its files in one by one: wait until two looks agree.
                    var settled = BuildStamp.of(output)
                    while true {
                        try await Task.sleep(for: .milliseconds(250))
                        let again = BuildStamp.of(output)
                        if again == settled { break }
                        settled = again
                    }
                    seen = settled
                    await changed()
                } catch {
                    return  // the group is stopping
                }
            }
        }
    }
}
