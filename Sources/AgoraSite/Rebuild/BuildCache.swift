import AgoraContent
import AgoraMarkdown
import Foundation

/// What `agora build` remembers between builds, after Zola's `rebuild` and Hugo's file cache:
/// parsed front matter, Markdown excerpts and links, and the fingerprint of every output file.
/// Deleting it only makes the next build a full one.
struct BuildCache: Sendable {
    /// Bumped whenever what the cache holds changes meaning.
    static let format = 5

    /// An output file as the last build left it.
    struct OutputRecord: Sendable {
        let fingerprint: Fingerprint
        let size: Int64
    }

    var format = BuildCache.format
    /// The settings and the generator the values were made with; any difference discards them all.
    var key = ""
    var parsed = ParsedFiles()
    var markdown: [Fingerprint: MarkdownSummary] = [:]
    /// Broken links by document, keyed as `LinkChecker.brokenLinks(in:memo:)` keys them.
    var links: [Fingerprint: [ContentIssue]] = [:]
    /// Content hashes of images, which name their thumbnails.
    var images: [String: Thumbnails.HashRecord] = [:]
    var outputs: [String: OutputRecord] = [:]

    /// The cache in `file` if it was made under `key`; an empty one otherwise (missing, damaged,
    /// from another version of Agora or other settings).
    static func load(_ file: URL, key: String) -> BuildCache {
        guard var reader = BinaryReader(contentsOfFile: file.path) else { return BuildCache(key: key) }
        guard let cache = try? BuildCache(from: &reader), reader.isAtEnd, cache.format == format, cache.key == key else {
            return BuildCache(key: key)
        }
        return cache
    }

    /// Writes the cache through a temporary file and a rename, so a crash never leaves half of one.
    func save(_ file: URL) throws {
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = file.appendingPathExtension("tmp")
        // Sized up front from the last cache, or on a first build from the number of entries (a
        // cache holds well under 1 KiB per output and body): growing by doubling (and the copy a
        // `Data` would make) was the build's peak of memory. Reserved pages never written to are
        // never resident, so a generous guess costs nothing.
        let guess = max(Int(FileStamp.of(file.path).size), (outputs.count + markdown.count) * 1024)
        // The two sections are encoded side by side and go to the file one after the other, never
        // copied into one buffer.
        try OutputWriter.writeFile(parts: fileParts(capacity: guess + 1 << 20), to: temporary.path)
        guard rename(temporary.path, file.path) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file.path])
        }
    }

    /// The generator's identity: a new `agora` binary may render differently, so its cache starts over.
    static var generatorStamp: String {
        var info = stat()
        guard stat("/proc/self/exe", &info) == 0 else { return "unknown" }
        return "\(info.st_size)-\(info.st_mtim.tv_sec)-\(info.st_mtim.tv_nsec)"
    }
}

// The cache's binary form: format and key, then two length-prefixed sections (the parsed content
// files, about two thirds of it, and everything else), decoded and encoded on two threads.
extension BuildCache: BinaryCodable {
    init(from reader: inout BinaryReader) throws {
        format = try reader.read()
        guard format == Self.format else { throw BinaryCodingError(message: "another cache format") }
        key = try reader.read()
        let sections = [try reader.readSection(), try reader.readSection()]
        let decoded = ParallelMap.map([0, 1]) { index -> Result<BuildCache, Error> in
            Result {
                var reader = BinaryReader(sections[index])
                var part = BuildCache()
                if index == 0 {
                    part.parsed = try reader.read()
                } else {
                    part.markdown = try reader.readFingerprinted()
                    part.links = (try reader.readFingerprinted() as [Fingerprint: BrokenLinks]).mapValues(\.issues)
                    part.images = try reader.read()
                    part.outputs = try reader.read()
                }
                guard reader.isAtEnd else { throw BinaryCodingError(message: "a section runs short") }
                return part
            }
        }
        let parsedPart = try decoded[0].get(), rest = try decoded[1].get()
        parsed = parsedPart.parsed
        markdown = rest.markdown
        links = rest.links
        images = rest.images
        outputs = rest.outputs
    }

    func write(to writer: inout BinaryWriter) {
        let sections = sections(capacity: 0)
        writer.write(format)
        writer.write(key)
        writer.writeSection(sections[0])
        writer.writeSection(sections[1])
    }

    /// The bytes of the file, in parts to be written one after the other: the same bytes as
    /// `write(to:)`, without copying the two sections into one buffer.
    fileprivate func fileParts(capacity: Int) -> [[UInt8]] {
        let sections = sections(capacity: capacity)
        var header = BinaryWriter(capacity: 256)
        header.write(format)
        header.write(key)
        header.write(UInt64(sections[0].count))
        var between = BinaryWriter(capacity: 10)
        between.write(UInt64(sections[1].count))
        return [header.bytes, sections[0], between.bytes, sections[1]]
    }

    /// The parsed content files, and everything else, encoded side by side.
    private func sections(capacity: Int) -> [[UInt8]] {
        ParallelMap.map([0, 1]) { index -> [UInt8] in
            var section = BinaryWriter(capacity: index == 0 ? capacity * 2 / 3 : capacity / 3)
            if index == 0 {
                section.write(parsed)
            } else {
                section.writeFingerprinted(markdown)
                section.writeFingerprinted(links.mapValues(BrokenLinks.init))
                section.write(images)
                section.write(outputs)
            }
            return section.bytes
        }
    }
}

extension Fingerprint: BinaryCodable {
    init(from reader: inout BinaryReader) throws { self.init(high: try reader.read(), low: try reader.read()) }
    func write(to writer: inout BinaryWriter) { writer.write(high); writer.write(low) }
}

extension BuildCache.OutputRecord: BinaryCodable {
    init(from reader: inout BinaryReader) throws { self.init(fingerprint: try reader.read(), size: try reader.read()) }
    func write(to writer: inout BinaryWriter) { writer.write(fingerprint); writer.write(size) }
}

extension Thumbnails.HashRecord: BinaryCodable {
    init(from reader: inout BinaryReader) throws {
        self.init(stamp: try reader.read(), hash: try reader.read(), width: try reader.read(), height: try reader.read())
    }

    func write(to writer: inout BinaryWriter) { writer.write(stamp); writer.write(hash); writer.write(width); writer.write(height) }
}

extension MarkdownSummary: BinaryCodable {
    init(from reader: inout BinaryReader) throws {
        excerpt = try reader.read()
        let count = try reader.read() as Int
        var links: [MarkdownLink] = []
        for _ in 0..<max(0, count) { links.append(MarkdownLink(destination: try reader.read(), line: try reader.read())) }
        self.links = links
    }

    func write(to writer: inout BinaryWriter) {
        writer.write(excerpt)
        writer.write(links.count)
        for link in links {
            writer.write(link.destination)
            writer.write(link.line)
        }
    }
}

/// One document's broken links in the cache's binary form.
private struct BrokenLinks: BinaryCodable {
    let issues: [ContentIssue]

    init(issues: [ContentIssue]) {
        self.issues = issues
    }

    init(from reader: inout BinaryReader) throws {
        issues = try reader.read()
    }

    func write(to writer: inout BinaryWriter) {
        writer.write(issues)
    }
}

extension BinaryWriter {
    mutating func writeFingerprinted<Value: BinaryCodable>(_ values: [Fingerprint: Value]) {
        write(UInt64(values.count))
        for (key, value) in values.sorted(by: { ($0.key.high, $0.key.low) < ($1.key.high, $1.key.low) }) {
            write(key)
            write(value)
        }
    }
}

extension BinaryReader {
    mutating func readFingerprinted<Value: BinaryCodable>() throws -> [Fingerprint: Value] {
        let count = try read() as UInt64
        var values: [Fingerprint: Value] = [:]
        for _ in 0..<count {
            let key: Fingerprint = try read()
            values[key] = try read() as Value
        }
        return values
    }
}
