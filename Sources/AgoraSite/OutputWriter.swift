import AgoraCompression
import AgoraContent
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
        /// Every file the output folder holds after the commit, with its size: what
        /// `InputStamps.outputs` would find, taken on the walk that removes stale files.
        var files: [String: Int] = [:]
    }

    static let stagingName = ".agora-staging"
    /// When each hashed asset the build stopped producing was first left over, one
    /// `<seconds since 1970> <path>` line each; a dotfile, so it is neither served nor deleted.
    static let retiredAssetsName = ".agora-retired-assets"

    let output: URL
    let retiredAssetLifetime: TimeInterval
    /// `.gz` (and `.br`) copies beside text files, for servers that send them as they are
    /// (`agora build --precompress`); `agora serve` compresses on the fly without them.
    let precompress: Bool
    private let staging: URL
    // The same two as paths: a page's paths are made by appending strings, not `URL`s (whose
    // `appendingPathComponent` was 4 % of a cold build's CPU).
    private let outputPath: String
    private let stagingPath: String
    private let fileManager = FileManager()
    private let lock = NSLock()
    private var produced: Set<String> = []
    private var changed: [String] = []
    private var unchangedCount = 0
    private var createdFolders: Set<String> = []

    /// A writer into the build's output folder, as its options say.
    convenience init(_ options: BuildOptions) throws {
        try self.init(output: options.outputDirectory, retiredAssetLifetime: options.retiredAssetLifetime,
                      precompress: options.precompress)
    }

    init(output: URL, retiredAssetLifetime: TimeInterval = 86_400, precompress: Bool = false) throws {
        self.output = output.standardizedFileURL
        self.precompress = precompress
        self.retiredAssetLifetime = retiredAssetLifetime
        staging = self.output.appendingPathComponent(Self.stagingName)
        outputPath = self.output.path
        stagingPath = staging.path
        try fileManager.createDirectory(at: self.output, withIntermediateDirectories: true)
        try? fileManager.removeItem(at: staging)
        try fileManager.createDirectory(at: staging, withIntermediateDirectories: true)
    }

    /// Stages `data` for `path` (relative, `/`-separated) unless the output already holds it.
    /// With `precompress`, text files get a `.gz` copy beside them (and all but pages a `.br` copy
    /// too), made only when the file itself changed.
    func stage(_ path: String, _ data: Data) throws {
        let copies = compressedCopies(of: path)
        if let existing = WholeFile.data(outputPath + "/" + path), existing == data,
           copies.allSatisfy({ access(outputPath + "/" + $0.path, F_OK) == 0 }) {
            record(path, changed: false)
            for copy in copies { record(copy.path, changed: false) }
            return
        }
        try createParent(of: path)
        try Self.writeFile(data, to: stagingPath + "/" + path)
        record(path, changed: true)
        for copy in copies {
            guard let compressed = copy.compress(data) else { continue }
            try Self.writeFile(compressed, to: stagingPath + "/" + copy.path)
            record(copy.path, changed: true)
        }
    }

    /// Keeps `path` as the last build wrote it, without reading it, when it is still there with
    /// `size` bytes (and its compressed copies beside it). False when it is not, and must be made again.
    func keep(_ path: String, size: Int64) -> Bool {
        var info = stat()
        guard stat(outputPath + "/" + path, &info) == 0, Int64(info.st_size) == size else { return false }
        let copies = compressedCopies(of: path)
        guard copies.allSatisfy({ access(outputPath + "/" + $0.path, F_OK) == 0 }) else { return false }
        record(path, changed: false)
        for copy in copies { record(copy.path, changed: false) }
        return true
    }

    /// The precompressed files that go beside `path`, for servers that send them as they are.
    func compressedCopies(of path: String) -> [(path: String, compress: (Data) -> Data?)] {
        var copies: [(path: String, compress: (Data) -> Data?)] = []
        guard precompress else { return copies }
        if Gzip.isCompressible(path) { copies.append((path + ".gz", { Gzip.compress($0) })) }
        if Brotli.wants(path) { copies.append((path + ".br", { Brotli.compress($0) })) }
        return copies
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
        try createParent(of: path)
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
        try merge(staging.path, into: output.path)
        try? fileManager.removeItem(at: staging)
        (stats.removed, stats.files) = removeStale(keeping: keep)
        return stats
    }

    /// Moves the staged files into place, and nothing else: for an edit's patch, which makes only
    /// some of the outputs and knows the others are as the last build left them. The paths of
    /// the files it changed.
    func commitChanges() throws -> [String] {
        lock.lock()
        let changedPaths = changed.sorted()
        lock.unlock()
        try merge(staging.path, into: output.path)
        try? fileManager.removeItem(at: staging)
        return changedPaths
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

    /// Plain open/write/close. `Data.write(to:)` calls fsync for every file, which makes a build
    /// of ten thousand pages spend seconds waiting on the disk; a static build can always be rerun,
    /// so it does not need each page flushed before the next.
    static func writeFile(_ data: Data, to path: String) throws {
        try data.withUnsafeBytes { try writeFile($0, to: path) }
    }

    static func writeFile(_ buffer: UnsafeRawBufferPointer, to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(descriptor) }
        try writeAll(buffer, to: descriptor)
    }

    /// `mkdir -p`: the folder at `path` and any of its parents that are missing.
    static func makeFolders(_ path: String) throws {
        if mkdir(path, 0o755) == 0 || errno == EEXIST { return }
        guard errno == ENOENT, let slash = path.lastIndex(of: "/"), slash > path.startIndex else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        try makeFolders(String(path[..<slash]))
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    /// A file made of `parts`, one after the other.
    static func writeFile(parts: [[UInt8]], to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(descriptor) }
        for part in parts { try part.withUnsafeBytes { try writeAll($0, to: descriptor) } }
    }

    private static func writeAll(_ buffer: UnsafeRawBufferPointer, to descriptor: Int32) throws {
        guard let base = buffer.baseAddress else { return }  // nothing to write
        var offset = 0
        while offset < buffer.count {
            let written = write(descriptor, base + offset, buffer.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            }
            offset += written
        }
    }

    /// Creates the staging folder for a file once per folder (many pages share a parent).
    private func createParent(of path: String) throws {
        guard let slash = path.lastIndex(of: "/") else { return }
        let folder = String(path[..<slash])
        lock.lock()
        let known = createdFolders.contains(folder)
        lock.unlock()
        guard !known else { return }
        try Self.makeFolders(stagingPath + "/" + folder)
        lock.lock()
        createdFolders.insert(folder)
        lock.unlock()
    }

    /// Moves the staged tree into the output with as few renames as possible: a staged folder
    /// that does not exist in the output moves in whole (a first build is a handful of renames),
    /// otherwise its entries are merged one level down.
    private func merge(_ source: String, into target: String) throws {
        for name in try fileManager.contentsOfDirectory(atPath: source).sorted() {
            let from = source + "/" + name
            let to = target + "/" + name
            var targetIsFolder: ObjCBool = false
            let targetExists = fileManager.fileExists(atPath: to, isDirectory: &targetIsFolder)
            var sourceIsFolder: ObjCBool = false
            _ = fileManager.fileExists(atPath: from, isDirectory: &sourceIsFolder)
            if targetExists, sourceIsFolder.boolValue, targetIsFolder.boolValue {
                try merge(from, into: to)
                continue
            }
            if targetExists, targetIsFolder.boolValue != sourceIsFolder.boolValue {
                try fileManager.removeItem(atPath: to)  // a page became a folder or the other way round
            }
            if rename(from, to) != 0 {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: to])
            }
        }
    }

    /// Deletes files not produced by this build, then the folders left empty. Hashed assets are
    /// kept for `retiredAssetLifetime` after the build that first left them over.
    private func removeStale(keeping keep: Set<String>) -> (removed: Int, remaining: [String: Int]) {
        var remaining: [String: Int] = [:]
        var stale: [String] = []
        for (path, info) in DirectoryWalk.statFiles(output.path) {
            remaining[path] = Int(info.st_size)
            if !keep.contains(path) { stale.append(path) }
        }
        var removed = 0
        var emptied: Set<String> = []
        let registry = output.appendingPathComponent(Self.retiredAssetsName)
        let retiredBefore = Self.readRetired(registry)
        var retired: [String: Int64] = [:]
        let now = Int64(Date().timeIntervalSince1970)
        for path in stale {
            // A compressed copy of an asset still produced is not retired: it only went out of fashion.
            let base = path.hasSuffix(".gz") || path.hasSuffix(".br") ? String(path.dropLast(3)) : path
            if path.hasPrefix("assets/"), !keep.contains(base) {
                let since = retiredBefore[path] ?? now
                if Double(now - since) < retiredAssetLifetime {
                    retired[path] = since
                    continue
                }
            }
            if unlink(output.path + "/" + path) == 0 {
                removed += 1
                remaining[path] = nil
            }
            var folder = path
            while let slash = folder.lastIndex(of: "/") {
                folder = String(folder[..<slash])
                emptied.insert(folder)
            }
        }
        for folder in emptied.sorted(by: { $0.count > $1.count }) {
            rmdir(output.path + "/" + folder)  // fails, harmlessly, unless the folder is now empty
        }
        if retired != retiredBefore { Self.writeRetired(retired, to: registry) }  // a dotfile: not walked, not stamped
        return (removed, remaining)
    }

    private static func readRetired(_ file: URL) -> [String: Int64] {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return [:] }
        var entries: [String: Int64] = [:]
        for line in text.split(separator: "\n") {
            guard let space = line.firstIndex(of: " "), let since = Int64(line[..<space]) else { continue }
            entries[String(line[line.index(after: space)...])] = since
        }
        return entries
    }

    private static func writeRetired(_ entries: [String: Int64], to file: URL) {
        guard !entries.isEmpty else {
            try? FileManager.default.removeItem(at: file)
            return
        }
        let text = entries.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)\n" }.joined()
        try? Data(text.utf8).write(to: file, options: .atomic)
    }
}
