import AgoraContent
import Foundation

/// What `agora build` remembers between builds, after Zola's `rebuild` and Hugo's file cache:
/// parsed front matter, Markdown excerpts and links, and the fingerprint of every output file.
/// Deleting it only makes the next build a full one.
struct BuildCache: Codable, Sendable {
    /// Bumped whenever what the cache holds changes meaning.
    static let format = 1

    /// An output file as the last build left it.
    struct OutputRecord: Codable, Sendable {
        let fingerprint: Fingerprint
        let size: Int64
    }

    var format = BuildCache.format
    /// The settings and the generator the values were made with; any difference discards them all.
    var key = ""
    var parsed = ParsedFiles()
    var markdown: [Fingerprint: MarkdownSummary] = [:]
    /// Content hashes of images, which name their thumbnails.
    var images: [String: Thumbnails.HashRecord] = [:]
    var outputs: [String: OutputRecord] = [:]

    /// The cache in `file` if it was made under `key`; an empty one otherwise (missing, damaged,
    /// from another version of Agora or other settings).
    static func load(_ file: URL, key: String) -> BuildCache {
        guard let data = try? Data(contentsOf: file),
              let cache = try? JSONDecoder().decode(BuildCache.self, from: data),
              cache.format == format, cache.key == key else { return BuildCache(key: key) }
        return cache
    }

    /// Writes the cache through a temporary file and a rename, so a crash never leaves half of one.
    func save(_ file: URL) throws {
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = file.appendingPathExtension("tmp")
        try OutputWriter.writeFile(try JSONEncoder().encode(self), to: temporary.path)
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

extension Fingerprint: CodingKeyRepresentable {
    private struct Key: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    var codingKey: any CodingKey { Key(stringValue: description) }

    init?<T: CodingKey>(codingKey: T) {
        self.init(hex: codingKey.stringValue)
    }

    /// Parses `description`: two 16-digit hexadecimal halves.
    init?(hex: String) {
        guard hex.count == 32, let high = UInt64(hex.prefix(16), radix: 16), let low = UInt64(hex.suffix(16), radix: 16) else {
            return nil
        }
        self.init(high: high, low: low)
    }

    init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Fingerprint(hex: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a fingerprint"))
        }
        self = value
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
