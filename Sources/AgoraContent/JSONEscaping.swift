/// JSON strings as RFC 8259 §7 writes them, and as `JSONEncoder` with `.withoutEscapingSlashes`
/// does: quotes, backslashes and control characters escaped (`\u001f` in lower case), `/` and
/// everything else as UTF-8. Shared by the server's response writer and the build's manifests.
public enum JSONEscaping {
    /// Appends `text`, quoted and escaped, to `bytes`; unescaped runs are copied whole.
    public static func appendQuoted(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var runStart = 0
            for index in utf8.indices {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                switch byte {
                case UInt8(ascii: "\""): append("\\\"", to: &bytes)
                case UInt8(ascii: "\\"): append("\\\\", to: &bytes)
                case 0x0A: append("\\n", to: &bytes)
                case 0x0D: append("\\r", to: &bytes)
                case 0x09: append("\\t", to: &bytes)
                case 0x08: append("\\b", to: &bytes)
                case 0x0C: append("\\f", to: &bytes)
                default:
                    append("\\u00", to: &bytes)
                    bytes.append(hexDigits[Int(byte >> 4)])
                    bytes.append(hexDigits[Int(byte & 0x0F)])
                }
                runStart = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.endIndex]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static func append(_ text: StaticString, to bytes: inout [UInt8]) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}
