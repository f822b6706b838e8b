import AgoraContent
import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The fast path of a rebuild with nothing changed (issue "Build speed, second round"): what
/// every input file and every output file looked like to `stat` at the last successful build.
/// When the content and theme files all have the same size, modification and change times and
/// inode, and the output folder holds exactly the files that build wrote, with their sizes, the
/// build is done without reading anything: its summary and warnings are the last build's.
///
/// The input stamps are taken *before* the build reads its files, so a file edited during a build
/// differs next time. A file stamped within a second of that moment might be edited again with
/// the same times on a coarse clock ("racy" in git's words), so such a build saves an input digest
/// that cannot match (`StampSet.unmatchable`), and its patch record marks those files as changed
/// (`StampList`): the next build reads them again, as a patch when they are product files. The
/// change time (`ctime`) catches a file changed and then given its old modification time back.
///
/// The inputs are kept as a `StampSet` digest, not file by file: comparing digests needs no
/// dictionary of every path, which was most of a "nothing changed" build's own work. The outputs
/// are kept folder by folder (`OutputTree`), so that they can be checked without listing them.
struct InputStamps: Equatable {
    struct Warning: Equatable {
        let file: String
        let line: Int
        let key: String
        let message: String
    }

    struct Summary: Equatable {
        let pages: Int
        let products: Int
        let categories: Int
        let people: Int
        let searchIndexBytes: Int
        let links: [Warning]
        let images: [Warning]
        let content: [Warning]
    }

    /// The stamps of the files under the folders a build reads.
    struct Inputs: Equatable {
        var files = StampSet()
        /// The latest modification or change time among them (nanoseconds since 1970).
        var latest: Int64 = 0
        /// The files themselves, by folder (absolute path), as the walk found them: an edit's
        /// patch compares them with the last build's (`PatchRecord.inputs`).
        var listed: [(root: String, files: [(relative: String, info: stat)])] = []

        static func == (left: Inputs, right: Inputs) -> Bool {
            left.files == right.files && left.latest == right.latest
        }

        /// True when no input was touched within a second of `taken` (nanoseconds since 1970), so
        /// the stamps can be trusted next time (`FileStamp.settled`).
        func settled(before taken: Int64) -> Bool {
            FileStamp(size: 0, modified: latest).settled(before: taken)
        }
    }

    var key: String
    var inputs: StampSet
    var outputs: OutputTree
    var summary: Summary

    /// Every file under the folders a build reads, by absolute path.
    static func inputs(_ folders: [URL]) -> Inputs {
        var inputs = Inputs()
        for folder in folders {
            let root = folder.standardizedFileURL.path
            let files = DirectoryWalk.statFiles(root)
            inputs.files.add(StampSet.of(files) { set, file in
                let stamp = FileStamp(file.info)
                set.add(root, file.relative, (stamp.size, stamp.modified, stamp.changed, Int64(bitPattern: stamp.inode)))
            })
            inputs.latest = max(inputs.latest, files.map { FileStamp($0.info).latest }.max() ?? 0)
            inputs.listed.append((root, files))
        }
        return inputs
    }

    static func load(_ file: URL) -> InputStamps? {
        guard var reader = BinaryReader(contentsOfFile: file.path) else { return nil }
        guard let stamps = try? InputStamps(from: &reader), reader.isAtEnd else { return nil }
        return stamps
    }

    func save(_ file: URL) throws {
        var writer = BinaryWriter(capacity: 4096)
        write(to: &writer)
        try Data(writer.bytes).write(to: file, options: .atomic)
    }

    static func warnings(_ issues: [ContentIssue]) -> [Warning] {
        issues.map { Warning(file: $0.file, line: $0.line, key: $0.key, message: $0.message) }
    }

    static func issues(_ warnings: [Warning]) -> [ContentIssue] {
        warnings.map { ContentIssue(file: $0.file, line: $0.line, key: $0.key, message: $0.message) }
    }
}

/// A set of files with their stamps, as a digest that does not depend on the order they were
/// found in: the count, and the sums (wrapping, half by half) of a SHA-256 of each file's path and
/// numbers. Two sets that differ in any file differ in the digest but for a chance of about one
/// in 2^128.
struct StampSet: Equatable {
    private(set) var count = 0
    private(set) var high: UInt64 = 0
    private(set) var low: UInt64 = 0

    /// A digest no walk gives: the stamps of a build whose inputs had not settled, so that the
    /// next build does not take "nothing changed" from them (it patches or builds in full).
    static let unmatchable: StampSet = {
        var set = StampSet()
        set.count = -1
        return set
    }()

    /// The set of `entries`, each added by `add`, hashed on all cores.
    static func of<Entry: Sendable>(_ entries: [Entry], _ add: @escaping @Sendable (inout StampSet, Entry) -> Void) -> StampSet {
        let chunk = 1024
        let parts = ParallelMap.map(Array(stride(from: 0, to: entries.count, by: chunk))) { start -> StampSet in
            var part = StampSet()
            for entry in entries[start..<min(start + chunk, entries.count)] { add(&part, entry) }
            return part
        }
        return parts.reduce(into: StampSet()) { $0.add($1) }
    }

    /// Adds the files of `other` (a set without files in common with this one).
    mutating func add(_ other: StampSet) {
        count += other.count
        high &+= other.high
        low &+= other.low
    }

    /// Adds the file at `path` under `root` (joined by `/` when `root` is not empty) with its
    /// four numbers (unused ones zero).
    mutating func add(_ root: String, _ path: String, _ numbers: (Int64, Int64, Int64, Int64)) {
        var hasher = SHA256()
        var root = root, path = path
        if !root.isEmpty {
            root.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
            withUnsafeBytes(of: UInt8(ascii: "/")) { hasher.update(bufferPointer: $0) }
        }
        path.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        // A NUL after the path (no path holds one), so that the numbers cannot run into it.
        withUnsafeBytes(of: UInt8(0)) { hasher.update(bufferPointer: $0) }
        let numbers = (numbers.0.littleEndian, numbers.1.littleEndian, numbers.2.littleEndian, numbers.3.littleEndian)
        withUnsafeBytes(of: numbers) { hasher.update(bufferPointer: $0) }
        let digest = hasher.finalize()
        digest.withUnsafeBytes { raw in
            high &+= raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)
            low &+= raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        }
        count += 1
    }
}

// The stamps' binary form, field by field in declaration order (as `BuildCache`'s records).
extension InputStamps: BinaryCodable {
    init(from reader: inout BinaryReader) throws {
        self.init(key: try reader.read(), inputs: try reader.read(), outputs: try reader.read(), summary: try reader.read())
    }

    func write(to writer: inout BinaryWriter) {
        writer.write(key)
        writer.write(inputs)
        writer.write(outputs)
        writer.write(summary)
    }
}

extension StampSet: BinaryCodable {
    init(from reader: inout BinaryReader) throws {
        count = try reader.read()
        high = try reader.read()
        low = try reader.read()
    }

    func write(to writer: inout BinaryWriter) {
        writer.write(count)
        writer.write(high)
        writer.write(low)
    }
}

extension InputStamps.Warning: BinaryCodable {
    init(from reader: inout BinaryReader) throws {
        self.init(file: try reader.read(), line: try reader.read(), key: try reader.read(), message: try reader.read())
    }

    func write(to writer: inout BinaryWriter) {
        writer.write(file)
        writer.write(line)
        writer.write(key)
        writer.write(message)
    }
}

extension InputStamps.Summary: BinaryCodable {
    init(from reader: inout BinaryReader) throws {
        self.init(pages: try reader.read(), products: try reader.read(), categories: try reader.read(), people: try reader.read(),
                  searchIndexBytes: try reader.read(), links: try reader.read(), images: try reader.read(), content: try reader.read())
    }

    func write(to writer: inout BinaryWriter) {
        for number in [pages, products, categories, people, searchIndexBytes] { writer.write(number) }
        writer.write(links)
        writer.write(images)
        writer.write(content)
    }
}
