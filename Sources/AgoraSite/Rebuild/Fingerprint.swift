import AgoraContent
import AgoraTheme
import Crypto
import Foundation

/// A digest of everything that goes into one output file: the template's digest and the whole
/// template context. Equal fingerprints mean equal bytes, so a rebuild can skip rendering the
/// page. Hashing the context itself, rather than declaring by hand which content each page reads,
/// means a forgotten dependency cannot leave a stale page behind.
struct Fingerprint: Hashable, Sendable, CustomStringConvertible {
    let high: UInt64
    let low: UInt64

    /// 32 lowercase hexadecimal digits. Written digit by digit: every card, page and body key of a
    /// build is one, and `String(_:radix:)` with padding was 2 % of a one-product edit.
    var description: String {
        String(unsafeUninitializedCapacity: 32) { buffer in
            for index in 0..<16 {
                let shift = UInt64(60 - 4 * index)
                buffer[index] = Self.digit(high >> shift)
                buffer[16 + index] = Self.digit(low >> shift)
            }
            return 32
        }
    }

    private static func digit(_ value: UInt64) -> UInt8 {
        let nibble = UInt8(truncatingIfNeeded: value & 0xF)
        return nibble < 10 ? 0x30 + nibble : 0x61 + nibble - 10
    }

    /// The fingerprint of a page rendered with `template` (digest from the theme) and `context`.
    static func page(templateDigest: UInt64, context: [String: Any]) -> Fingerprint {
        var encoder = CanonicalEncoder()
        encoder.append(templateDigest)
        encoder.append(context)
        return encoder.fingerprint()
    }

    /// The fingerprint of some bytes (a Markdown body, a file's contents).
    static func of(_ text: String, salt: Int = 0) -> Fingerprint {
        var encoder = CanonicalEncoder()
        encoder.append(UInt64(bitPattern: Int64(salt)))
        encoder.append(text)
        return encoder.fingerprint()
    }

    /// The fingerprint of a Markdown body by its digest (with what was made of it, `salt`).
    static func of(_ digest: MarkdownBody.Digest, salt: Int) -> Fingerprint {
        var encoder = CanonicalEncoder()
        encoder.append(UInt64(bitPattern: Int64(salt)))
        encoder.append(digest.high)
        encoder.append(digest.low)
        return encoder.fingerprint()
    }

    /// The fingerprint of a sequence of texts (each length-prefixed, so they cannot run together).
    static func of(texts: [String]) -> Fingerprint {
        var encoder = CanonicalEncoder()
        for text in texts { encoder.append(text) }
        return encoder.fingerprint()
    }

    static func of(bytes: [UInt8]) -> Fingerprint {
        var encoder = CanonicalEncoder()
        encoder.bytes.append(contentsOf: bytes)
        return encoder.fingerprint()
    }

    static func of(_ data: Data) -> Fingerprint {
        var encoder = CanonicalEncoder()
        encoder.bytes.append(contentsOf: data)
        return encoder.fingerprint()
    }

    /// The fingerprint of template values.
    static func of(_ values: [String: Any]) -> Fingerprint {
        var encoder = CanonicalEncoder()
        encoder.append(values)
        return encoder.fingerprint()
    }
}

/// Writes template values into bytes that are equal exactly when the values are: type tags and
/// lengths keep `["ab"]` apart from `["a", "b"]`, and dictionary keys are sorted.
struct CanonicalEncoder {
    var bytes: [UInt8] = []

    init() {
        bytes.reserveCapacity(16 * 1024)
    }

    mutating func append(_ number: UInt64) {
        withUnsafeBytes(of: number.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func append(_ text: String) {
        bytes.append(0x73)  // "s"
        var text = text
        text.withUTF8 { utf8 in
            append(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    /// Template values come in a handful of exact types; matching the type first spares the
    /// generic casts, which on Linux go through Foundation's bridging and cost more than hashing.
    mutating func append(_ value: Any) {
        let type = ObjectIdentifier(Swift.type(of: value))
        if type == Self.stringType, let text = value as? String {
            append(text)
        } else if type == Self.mapType, let map = value as? [String: Any] {
            append(map: map)
        } else if type == Self.listType, let list = value as? [Any] {
            append(list: list)
        } else if type == Self.mapListType, let list = value as? [[String: Any]] {
            bytes.append(0x5B)
            append(UInt64(list.count))
            for element in list { append(map: element) }
        } else if type == Self.boolType, let flag = value as? Bool {
            append(flag: flag)
        } else if type == Self.intType, let number = value as? Int {
            append(int: number)
        } else if type == Self.sharedListType, let list = value as? [SharedValues] {
            bytes.append(0x5B)
            append(UInt64(list.count))
            for element in list { append(shared: element) }
        } else if type == Self.sharedType, let shared = value as? SharedValues {
            append(shared: shared)
        } else if type == Self.deferredType, let deferred = value as? DeferredHTML {
            // Its key stands for the HTML, which stays unrendered unless the page is rendered.
            append(deferred: deferred)
        } else {
            appendOther(value)
        }
    }

    /// Shared values are hashed once, when made; their key stands for them.
    private mutating func append(shared: SharedValues) {
        bytes.append(0x76)
        append(shared.key)
    }

    mutating func append(map: [String: Any]) {
        beginMap(map.count)
        for (key, value) in map.sorted(by: { $0.key < $1.key }) {
            append(key)
            append(value)
        }
    }

    private mutating func append(list: [Any]) {
        bytes.append(0x5B)
        append(UInt64(list.count))
        for element in list { append(element) }
    }

    /// Everything else, through ordinary casts: rarer types such as `[String: String]` or `Double`.
    private mutating func appendOther(_ value: Any) {
        switch value {
        case let strings as [String: String]:
            append(map: strings)
        case let strings as [String]:
            append(list: strings)
        case let number as Int64:
            append(int: number)
        case let number as Double:
            bytes.append(0x64)
            append(number.bitPattern)
        case let map as [String: Any]:
            append(map: map)
        case let list as [Any]:
            append(list: list)
        case let optional as Optional<Any>:
            // A nil reached through `Any` (a missing value), else whatever it wraps, as text.
            if let wrapped = optional { append(String(describing: wrapped)) } else { bytes.append(0x30) }
        }
    }

    private static let stringType = ObjectIdentifier(String.self)
    private static let mapType = ObjectIdentifier([String: Any].self)
    private static let listType = ObjectIdentifier([Any].self)
    private static let mapListType = ObjectIdentifier([[String: Any]].self)
    private static let boolType = ObjectIdentifier(Bool.self)
    private static let intType = ObjectIdentifier(Int.self)
    private static let deferredType = ObjectIdentifier(DeferredHTML.self)
    private static let sharedType = ObjectIdentifier(SharedValues.self)
    private static let sharedListType = ObjectIdentifier([SharedValues].self)

    func fingerprint() -> Fingerprint {
        let digest = Array(SHA256.hash(data: bytes))
        var high: UInt64 = 0
        var low: UInt64 = 0
        for index in 0..<8 {
            high = high << 8 | UInt64(digest[index])
            low = low << 8 | UInt64(digest[8 + index])
        }
        return Fingerprint(high: high, low: low)
    }
}
