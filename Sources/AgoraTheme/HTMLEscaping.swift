/// Escaping for text that Agora writes itself outside templates (XML feeds, JSON-LD in pages),
/// and for `{{name}}` in templates (`FastHTMLContentType`). Both work on UTF-8 bytes: only ASCII
/// bytes are ever replaced, so every other character passes whole.
public enum Escaping {
    /// Escapes `& < > " '` for HTML text and attribute values.
    public static func html(_ text: String) -> String {
        replacing(text) { byte in entity(byte) }
    }

    /// Escapes `& < > " '` for XML text and attribute values, and drops the control characters
    /// that XML 1.0 does not allow (all below U+0020 but tab and newline).
    public static func xml(_ text: String) -> String {
        replacing(text) { byte in
            if byte < 0x20 { return byte == 0x09 || byte == 0x0A ? nil : "" }
            return entity(byte)
        }
    }

    private static func entity(_ byte: UInt8) -> StaticString? {
        switch byte {
        case UInt8(ascii: "<"): return "&lt;"
        case UInt8(ascii: ">"): return "&gt;"
        case UInt8(ascii: "&"): return "&amp;"
        case UInt8(ascii: "\""): return "&quot;"
        case UInt8(ascii: "'"): return "&#39;"
        default: return nil
        }
    }

    /// `text` with every byte for which `replacement` gives a string put in its place (an empty
    /// string drops the byte); the text itself, uncopied, when there is nothing to replace.
    @inline(__always)
    static func replacing(_ text: String, _ replacement: (UInt8) -> StaticString?) -> String {
        var text = text
        let replaced: String? = text.withUTF8 { utf8 in
            guard let first = utf8.firstIndex(where: { replacement($0) != nil }) else { return nil }
            var length = first
            for byte in utf8[first...] { length += replacement(byte)?.utf8CodeUnitCount ?? 1 }
            return String(unsafeUninitializedCapacity: length) { output in
                var written = 0
                func append(_ bytes: UnsafeBufferPointer<UInt8>) {
                    _ = UnsafeMutableBufferPointer(rebasing: output[written...]).initialize(from: bytes)
                    written += bytes.count
                }
                append(UnsafeBufferPointer(rebasing: utf8[..<first]))
                var runStart = first
                for index in first..<utf8.endIndex {
                    guard let substitute = replacement(utf8[index]) else { continue }
                    append(UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                    substitute.withUTF8Buffer { append($0) }
                    runStart = index + 1
                }
                append(UnsafeBufferPointer(rebasing: utf8[runStart...]))
                return written
            }
        }
        return replaced ?? text
    }
}
