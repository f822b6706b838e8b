import AgoraContent
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
/// the same times on a coarse clock ("racy" in git's words), so such a build saves no stamps and
/// the next one takes the full way. The change time (`ctime`) catches a file changed and then
/// given its old modification time back.
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

    var key: String
    var inputs: [String: FileStamp]
    var outputs: [String: Int]
    var summary: Summary

    /// Every file under the folders a build reads, by absolute path.
    static func inputs(_ folders: [URL]) -> [String: FileStamp] {
        var stamps: [String: FileStamp] = [:]
        for folder in folders {
            let root = folder.standardizedFileURL.path
            for (file, info) in DirectoryWalk.statFiles(root) {
                stamps[root + "/" + file] = FileStamp(info)
            }
        }
        return stamps
    }

    /// Every file of the output folder (hidden ones aside), by relative path, with its size.
    static func outputs(_ folder: URL) -> [String: Int] {
        var sizes: [String: Int] = [:]
        for (file, info) in DirectoryWalk.statFiles(folder.standardizedFileURL.path) {
            sizes[file] = Int(info.st_size)
        }
        return sizes
    }

    /// True when no input was touched within a second of `taken` (nanoseconds since 1970), so the
    /// stamps can be trusted next time.
    static func settled(_ inputs: [String: FileStamp], taken: Int64) -> Bool {
        inputs.values.allSatisfy { $0.settled(before: taken) }
    }

    static func load(_ file: URL) -> InputStamps? {
        guard let data = try? Data(contentsOf: file) else { return nil }
        var reader = BinaryReader([UInt8](data))
        guard let stamps = try? InputStamps(from: &reader), reader.isAtEnd else { return nil }
        return stamps
    }

    func save(_ file: URL) throws {
        var writer = BinaryWriter(capacity: 64 * (inputs.count + outputs.count) + 4096)
        write(to: &writer)
        try Data(writer.bytes).write(to: file, options: .atomic)
    }

    // MARK: binary form

    static func warnings(_ issues: [ContentIssue]) -> [Warning] {
        issues.map { Warning(file: $0.file, line: $0.line, key: $0.key, message: $0.message) }
    }

    static func issues(_ warnings: [Warning]) -> [ContentIssue] {
        warnings.map { ContentIssue(file: $0.file, line: $0.line, key: $0.key, message: $0.message) }
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
