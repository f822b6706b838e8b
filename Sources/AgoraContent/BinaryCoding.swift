import Foundation

/// A compact binary form for the build cache. Foundation's JSON coders spent over a second on each
/// of reading and writing the cache of a 10,000-product site, more than the rest of a rebuild; this
/// format reads and writes it in a few tens of milliseconds. It is an internal format: any
/// mismatch (another version, a damaged file) throws, and the build starts over without a cache.
public protocol BinaryCodable {
    init(from reader: inout BinaryReader) throws
    func write(to writer: inout BinaryWriter)
}

public struct BinaryCodingError: Error {
    public let message: String

    public init(message: String) {
        self.message = message
    }
}

public struct BinaryWriter {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 0) {
        bytes.reserveCapacity(max(0, capacity))
    }

    /// Variable-length unsigned integers (LEB128): small numbers take one byte.
    public mutating func write(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    /// Signed integers, zigzag-encoded so that small negative numbers stay small.
    public mutating func write(_ value: Int) {
        let signed = Int64(value)
        write(UInt64(bitPattern: (signed << 1) ^ (signed >> 63)))
    }

    public mutating func write(_ value: Int64) { write(Int(value)) }

    public mutating func write(_ value: Bool) { bytes.append(value ? 1 : 0) }

    public mutating func write(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            write(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    public mutating func write<Value: BinaryCodable>(_ value: Value) { value.write(to: &self) }

    /// A length-prefixed section (`BinaryReader.readSection`): sections can be read side by side.
    public mutating func writeSection(_ section: [UInt8]) {
        write(UInt64(section.count))
        bytes.append(contentsOf: section)
    }

    public mutating func write<Value: BinaryCodable>(_ value: Value?) {
        write(value != nil)
        if let value { value.write(to: &self) }
    }

    public mutating func write<Value: BinaryCodable>(_ values: [Value]) {
        write(UInt64(values.count))
        for value in values { value.write(to: &self) }
    }

    /// Dictionaries in key order, so equal dictionaries give equal bytes.
    public mutating func write<Value: BinaryCodable>(_ values: [String: Value]) {
        write(UInt64(values.count))
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            write(key)
            value.write(to: &self)
        }
    }

}

/// A whole file read with `open`, `fstat` and `read` (EINTR retried) straight into a buffer of
/// its size: `Data(contentsOf:)` and a copy into `[UInt8]` read the 12 MB build cache twice over
/// (1.5 % of a one-product edit).
public enum WholeFile {
    /// The file's bytes; nil when it cannot be read whole (most often: it is not there).
    public static func bytes(_ path: String) -> [UInt8]? {
        withOpenFile(path) { descriptor, size in
            var complete = false
            let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
                complete = readFully(descriptor, into: UnsafeMutableRawBufferPointer(buffer))
                count = complete ? size : 0
            }
            return complete ? bytes : nil
        }
    }

    /// The file's bytes as `Data`; nil when it cannot be read whole.
    public static func data(_ path: String) -> Data? {
        withOpenFile(path) { descriptor, size in
            var data = Data(count: size)
            return data.withUnsafeMutableBytes { readFully(descriptor, into: $0) } ? data : nil
        }
    }

    private static func withOpenFile<Result>(_ path: String, _ body: (Int32, Int) -> Result?) -> Result? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return nil }
        return body(descriptor, Int(info.st_size))
    }

    /// Reads until `buffer` is full; false when the file ends first or a read fails.
    private static func readFully(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Bool {
        guard let base = buffer.baseAddress else { return true }  // an empty file
        var count = 0
        while count < buffer.count {
            let got = read(descriptor, base + count, buffer.count - count)
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { return false }
            count += got
        }
        return true
    }
}

public struct BinaryReader {
    private let bytes: [UInt8]
    private var offset = 0

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// A reader of the whole file at `path` (`WholeFile`); nil when it cannot be read.
    public init?(contentsOfFile path: String) {
        guard let bytes = WholeFile.bytes(path) else { return nil }
        self.bytes = bytes
    }

    public var isAtEnd: Bool { offset == bytes.count }

    public mutating func read() throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < bytes.count, shift < 64 else { throw BinaryCodingError(message: "truncated number") }
            let byte = bytes[offset]
            offset += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
    }

    public mutating func read() throws -> Int {
        let raw: UInt64 = try read()
        return Int(Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1))))
    }

    public mutating func read() throws -> Int64 { Int64(try read() as Int) }

    public mutating func read() throws -> Bool {
        guard offset < bytes.count else { throw BinaryCodingError(message: "truncated flag") }
        defer { offset += 1 }
        return bytes[offset] != 0
    }

    public mutating func read() throws -> String {
        // A damaged file can hold any number here: too large for an `Int` is damage too, not a trap.
        guard let count = Int(exactly: try read() as UInt64), count <= bytes.count - offset else {
            throw BinaryCodingError(message: "truncated text")
        }
        defer { offset += count }
        return String(decoding: bytes[offset..<(offset + count)], as: UTF8.self)
    }

    public mutating func read<Value: BinaryCodable>() throws -> Value { try Value(from: &self) }

    public mutating func read<Value: BinaryCodable>() throws -> Value? {
        try read() as Bool ? try Value(from: &self) : nil
    }

    public mutating func read<Value: BinaryCodable>() throws -> [Value] {
        let count = try boundedCount()
        var values: [Value] = []
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try Value(from: &self)) }
        return values
    }

    public mutating func read<Value: BinaryCodable>() throws -> [String: Value] {
        let count = try boundedCount()
        var values: [String: Value] = [:]
        values.reserveCapacity(count)
        for _ in 0..<count {
            let key: String = try read()
            values[key] = try Value(from: &self)
        }
        return values
    }

    /// The bytes of a section written by `BinaryWriter.writeSection`, to be read by a reader of its own.
    public mutating func readSection() throws -> [UInt8] {
        let count = try boundedCount()
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }

    /// A count no larger than the bytes left (each element takes at least one), so a damaged
    /// file cannot make the reader reserve absurd amounts of memory.
    private mutating func boundedCount() throws -> Int {
        let count = try read() as UInt64
        guard count <= UInt64(bytes.count - offset) else { throw BinaryCodingError(message: "count out of range") }
        return Int(count)
    }
}

// The values the containers above hold most often.

extension String: BinaryCodable {
    public init(from reader: inout BinaryReader) throws { self = try reader.read() }
    public func write(to writer: inout BinaryWriter) { writer.write(self) }
}

extension Int: BinaryCodable {
    public init(from reader: inout BinaryReader) throws { self = try reader.read() }
    public func write(to writer: inout BinaryWriter) { writer.write(self) }
}
