import Crypto
import Foundation

/// A Markdown body (a product's description, a person's bio, a page's text) and a digest of it.
///
/// A rebuild does not read a content file whose stamp shows it unchanged (`ContentLoader`): the
/// body's digest comes from the build cache, and the text is read from the file only when
/// something is made from it again, such as a page whose fingerprint changed. What every build
/// needs of a body, its excerpt and links, the build cache keeps by this digest. Equal digests
/// mean equal texts.
public final class MarkdownBody: @unchecked Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The first 128 bits of the text's SHA-256.
    public struct Digest: Hashable, Sendable {
        public let high: UInt64
        public let low: UInt64
    }

    public let digest: Digest
    /// The file to read the text from when it is first asked for; nil when the text is in hand.
    private let file: String?
    private let lock = NSLock()
    private var loaded: String?

    public init(_ text: String) {
        digest = Self.digest(of: text)
        file = nil
        loaded = text
    }

    public convenience init(stringLiteral text: String) {
        self.init(text)
    }

    /// A body known by its digest, to be read from `file` (a content file, front matter and all)
    /// only if its text is needed.
    init(digest: Digest, file: String) {
        self.digest = digest
        self.file = file
        loaded = nil
    }

    /// The empty body, which content items carry in the build cache (their digest is kept beside them).
    public static let empty = MarkdownBody("")

    /// The Markdown text. Read from the file on first use when the build skipped the file; if the
    /// file changed since it was listed, the text is what it holds now (its new stamp makes the
    /// next build take it up), and an unreadable file gives an empty text.
    public var text: String {
        lock.lock()
        defer { lock.unlock() }
        if let loaded { return loaded }
        let text = file.flatMap(Self.readBody) ?? ""
        loaded = text
        return text
    }

    public var description: String { text }

    public static func == (left: MarkdownBody, right: MarkdownBody) -> Bool { left.digest == right.digest }

    public func hash(into hasher: inout Hasher) { hasher.combine(digest) }

    static func digest(of text: String) -> Digest {
        var text = text
        let hash = text.withUTF8 { SHA256.hash(data: UnsafeRawBufferPointer($0)) }
        return hash.withUnsafeBytes { raw in
            Digest(high: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
                   low: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        }
    }

    /// The body of a content file, as the loader cuts it.
    private static func readBody(_ file: String) -> String? {
        var log = IssueLog()
        guard let data = FileManager.default.contents(atPath: file), let text = SourceText.decode(data, file: file, log: &log) else {
            return nil
        }
        return FrontMatterDocument.split(text, file: file, log: &log)?.body
    }
}

extension MarkdownBody.Digest: BinaryCodable {
    public init(from reader: inout BinaryReader) throws {
        self.init(high: try reader.read(), low: try reader.read())
    }

    public func write(to writer: inout BinaryWriter) {
        writer.write(high)
        writer.write(low)
    }
}

extension MarkdownBody: BinaryCodable {
    public convenience init(from reader: inout BinaryReader) throws {
        self.init(try reader.read() as String)
    }

    public func write(to writer: inout BinaryWriter) { writer.write(text) }
}
