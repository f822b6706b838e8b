import Foundation

/// Writes a build into the output folder without ever leaving it half-done by a failed build,
/// and without touching files whose bytes did not change (so their mtimes survive and uploads
/// stay small).
///
/// Changed files are first written to a staging folder inside the output folder (same file
/// system, so moving them in is a rename). Only `commit()` changes the output folder itself.
final class OutputWriter: @unchecked Sendable {
    struct Stats: Sendable {
        var written = 0
        var unchanged = 0
        var removed = 0
    }

    static let stagingName = ".agora-staging"

    let output: URL
    private let staging: URL
    private let fileManager = FileManager()
    private let lock = NSLock()
    private var produced: Set<String> = []
    private var changed: [String] = []
    private var unchangedCount = 0

    init(output: URL) throws {
        self.output = output.standardizedFileURL
        staging = self.output.appendingPathComponent(Self.stagingName)
        try fileManager.createDirectory(at: self.output, withIntermediateDirectories: true)
        try? fileManager.removeItem(at: staging)
        try fileManager.createDirectory(at: staging, withIntermediateDirectories: true)
    }

    /// Stages `data` for `path` (relative, `/`-separated) unless the output already holds it.
    func stage(_ path: String, _ data: Data) throws {
        let target = output.appendingPathComponent(path)
        if let existing = try? Data(contentsOf: target, options: .uncached), existing == data {
            record(path, changed: false)
            return
        }
        let staged = staging.appendingPathComponent(path)
        try fileManager.createDirectory(at: staged.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: staged)
        record(path, changed: true)
    }

    /// Stages a copy of a file from disk (content images and other files).
    func stageCopy(_ path: String, from source: URL) throws {
        let target = output.appendingPathComponent(path)
        if let sourceSize = fileSize(source), sourceSize == fileSize(target),
           let a = try? Data(contentsOf: source, options: .alwaysMapped),
           let b = try? Data(contentsOf: target, options: .alwaysMapped), a == b {
            record(path, changed: false)
            return
        }
        let staged = staging.appendingPathComponent(path)
        try fileManager.createDirectory(at: staged.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? fileManager.removeItem(at: staged)
        try fileManager.copyItem(at: source, to: staged)
        record(path, changed: true)
    }

    /// Moves the staged files into place and removes files that this build no longer produces.
    /// Dotfiles in the output folder (such as `.gitkeep`) are left alone.
    func commit() throws -> Stats {
        lock.lock()
        let changedPaths = changed.sorted()
        let keep = produced
        let unchanged = unchangedCount
        lock.unlock()

        var stats = Stats(written: changedPaths.count, unchanged: unchanged)
        for path in changedPaths {
            let target = output.appendingPathComponent(path)
            try removeConflictingDirectory(at: target)
            try fileManager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            if rename(staging.appendingPathComponent(path).path, target.path) != 0 {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: target.path])
            }
        }
        try? fileManager.removeItem(at: staging)
        stats.removed = removeStale(keeping: keep)
        return stats
    }

    /// Throws away everything staged; the output folder stays as it was.
    func discard() {
        try? fileManager.removeItem(at: staging)
    }

    // MARK: helpers

    private func record(_ path: String, changed isChanged: Bool) {
        lock.lock()
        produced.insert(path)
        if isChanged { changed.append(path) } else { unchangedCount += 1 }
        lock.unlock()
    }

    private func fileSize(_ url: URL) -> Int? {
        (try? fileManager.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.intValue
    }

    private func removeConflictingDirectory(at target: URL) throws {
        var isDirectory: ObjCBool = false
        if fileManager.fileExists(atPath: target.path, isDirectory: &isDirectory), isDirectory.boolValue {
            try fileManager.removeItem(at: target)
        }
    }

    /// Deletes files not produced by this build, then the folders left empty.
    private func removeStale(keeping keep: Set<String>) -> Int {
        guard let enumerator = fileManager.enumerator(at: output, includingPropertiesForKeys: [.isDirectoryKey],
                                                      options: [.skipsHiddenFiles]) else { return 0 }
        var removed = 0
        var directories: [URL] = []
        let root = output.path
        for case let url as URL in enumerator {
            let isDirectory = (try? url.resourceValues(forKeys: [.isDirectoryKey]))?.isDirectory ?? false
            if isDirectory {
                directories.append(url)
                continue
            }
            var relative = url.standardizedFileURL.path
            if relative.hasPrefix(root) { relative.removeFirst(root.count) }
            while relative.hasPrefix("/") { relative.removeFirst() }
            if !keep.contains(relative), (try? fileManager.removeItem(at: url)) != nil { removed += 1 }
        }
        for directory in directories.sorted(by: { $0.path.count > $1.path.count }) {
            if let entries = try? fileManager.contentsOfDirectory(atPath: directory.path), entries.isEmpty {
                try? fileManager.removeItem(at: directory)
            }
        }
        return removed
    }
}
