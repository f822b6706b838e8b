import Foundation

/// The request bodies the API is sent most (`{"sku":"TC-001","quantity":1}`, a follow, a like) read
/// straight from their bytes: `JSONDecoder` was a twentieth of a cart write's CPU for 40 bytes.
///
/// Only the plain case is read here: one object of unique keys whose values are strings without
/// escapes, whole numbers, booleans or null. Anything else — nesting, escapes, fractions, a missing
/// or mistyped field, invalid JSON — goes to `JSONDecoder`, so errors and edge cases are exactly
/// as they were (a test compares the two on thousands of bodies).
struct FlatJSON {
    enum Value: Equatable {
        case string(String)
        case integer(Int)
        case bool(Bool)
        case null
    }

    private(set) var fields: [String: Value] = [:]

    init?(_ bytes: some Collection<UInt8>) {
        let parsed = bytes.withContiguousStorageIfAvailable { Self.parse($0) }
            ?? Array(bytes).withUnsafeBufferPointer { Self.parse($0) }
        guard let parsed else { return nil }
        fields = parsed
    }

    subscript(key: String) -> Value? { fields[key] }

    func string(_ key: String) -> String? {
        if case .string(let text) = fields[key] { return text }
        return nil
    }

    func integer(_ key: String) -> Int? {
        if case .integer(let number) = fields[key] { return number }
        return nil
    }

    /// `.some(nil)` when absent or null (an optional field), nil when of another type.
    func optionalBool(_ key: String) -> Bool?? {
        switch fields[key] {
        case nil, .null?: return .some(nil)
        case .bool(let flag)?: return .some(flag)
        default: return nil
        }
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> [String: Value]? {
        var reader = Reader(bytes: bytes)
        reader.skipSpace()
        guard reader.take(UInt8(ascii: "{")) else { return nil }
        var fields: [String: Value] = [:]
        reader.skipSpace()
        if !reader.take(UInt8(ascii: "}")) {
            repeat {
                reader.skipSpace()
                guard let key = reader.string() else { return nil }
                reader.skipSpace()
                guard reader.take(UInt8(ascii: ":")) else { return nil }
                reader.skipSpace()
                guard let value = reader.value(), fields.updateValue(value, forKey: key) == nil else { return nil }
                reader.skipSpace()
            } while reader.take(UInt8(ascii: ","))
            guard reader.take(UInt8(ascii: "}")) else { return nil }
        }
        reader.skipSpace()
        return reader.atEnd ? fields : nil
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        var atEnd: Bool { index == bytes.count }

        mutating func skipSpace() {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0A || bytes[index] == 0x0D {
                index += 1
            }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func take(_ word: StaticString) -> Bool {
            let count = word.utf8CodeUnitCount
            guard bytes.count - index >= count,
                  word.withUTF8Buffer({ $0.elementsEqual(bytes[index..<index + count]) }) else { return false }
            index += count
            return true
        }

        /// A string without escapes or control characters, valid UTF-8.
        mutating func string() -> String? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = index
            while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                guard bytes[index] >= 0x20, bytes[index] != UInt8(ascii: "\\") else { return nil }
                index += 1
            }
            guard index < bytes.count else { return nil }
            let text = String(validating: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            index += 1
            return text
        }

        mutating func value() -> Value? {
            guard index < bytes.count else { return nil }
            switch bytes[index] {
            case UInt8(ascii: "\""): return string().map(Value.string)
            case UInt8(ascii: "t"): return take("true") ? .bool(true) : nil
            case UInt8(ascii: "f"): return take("false") ? .bool(false) : nil
            case UInt8(ascii: "n"): return take("null") ? .null : nil
            default: return integer().map(Value.integer)
            }
        }

        /// `-?(0|[1-9][0-9]*)` within `Int`, not followed by a fraction or an exponent.
        mutating func integer() -> Int? {
            let start = index
            _ = take(UInt8(ascii: "-"))
            let digits = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            guard index > digits, !(bytes[digits] == UInt8(ascii: "0") && index - digits > 1) else { return nil }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") || bytes[index] | 0x20 == UInt8(ascii: "e") { return nil }
            return Int(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
        }
    }
}

/// A request body type with a fast path for the plain case (see `FlatJSON`).
protocol FlatJSONDecodable: Decodable {
    /// nil when `fields` does not make one: `JSONDecoder` then decodes the body and says why.
    init?(_ fields: FlatJSON)
}

extension FlatJSONDecodable {
    /// The value in `body`: read directly when it is plain, else by `JSONDecoder`.
    static func decode(_ body: Data) throws -> Self {
        if let fields = FlatJSON(body), let value = Self(fields) { return value }
        return try JSONDecoder().decode(Self.self, from: body)
    }
}
