import AgoraContent
import Foundation

/// A plain-text message in RFC 5322 form. Header values are checked, not trusted: a value with
/// a line break is refused, so nothing a shopper typed can add a header (`Bcc:`) to a message.
public struct MailMessage: Sendable, Equatable {
    public let from: String
    public let to: String
    public let subject: String
    public let date: Date
    /// Stable per outbox row, so a message re-sent after a crash is recognisably the same one.
    public let messageID: String
    public let body: String

    public init(from: String, to: String, subject: String, date: Date, messageID: String, body: String) {
        self.from = from
        self.to = to
        self.subject = subject
        self.date = date
        self.messageID = messageID
        self.body = body
    }

    public enum Problem: Error, Equatable, CustomStringConvertible {
        case headerInjection(field: String)
        case invalidAddress(field: String)

        public var description: String {
            switch self {
            case .headerInjection(let field): return "the \(field) header contains a line break"
            case .invalidAddress(let field): return "the \(field) address is not a plain email address"
            }
        }
    }

    /// The message with CRLF line ends: headers (non-ASCII subjects in RFC 2047 form), a blank
    /// line, and the body as UTF-8 quoted-printable.
    public func rfc5322() throws(Problem) -> String {
        for (field, value) in [("From", from), ("To", to), ("Subject", subject), ("Message-ID", messageID)] {
            if value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) { throw .headerInjection(field: field) }
        }
        for (field, address) in [("From", from), ("To", to)] where !Self.isPlainAddress(address) {
            throw .invalidAddress(field: field)
        }
        let headers = [
            "Date: \(Self.rfc5322Date(date))",
            "From: \(from)",
            "To: \(to)",
            "Subject: \(Self.encodedWord(subject))",
            "Message-ID: <\(messageID)>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
        ]
        return headers.joined(separator: "\r\n") + "\r\n\r\n" + QuotedPrintable.encode(body) + "\r\n"
    }

    /// Checkout accepts exactly the addresses this accepts: one rule for both (SPEC §6.11).
    static func isPlainAddress(_ address: String) -> Bool {
        Identifier.isEmail(address)
    }

    /// `=?UTF-8?B?…?=` when the text is not plain ASCII.
    static func encodedWord(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value > 0x7E || $0.value < 0x20 }) else { return text }
        return "=?UTF-8?B?\(Data(text.utf8).base64EncodedString())?="
    }

    static func rfc5322Date(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%a, %d %b %Y %H:%M:%S +0000", &parts)
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// RFC 2045 quoted-printable for UTF-8 text bodies, lines at most 76 characters.
enum QuotedPrintable {
    static func encode(_ text: String) -> String {
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        return lines.map(encodeLine).joined(separator: "\r\n")
    }

    private static func encodeLine(_ line: Substring) -> String {
        var output = ""
        var width = 0
        let bytes = Array(line.utf8)
        for (index, byte) in bytes.enumerated() {
            let isLast = index == bytes.count - 1
            let plain = (byte >= 33 && byte <= 126 && byte != 61) || ((byte == 32 || byte == 9) && !isLast)
            let piece = plain ? String(UnicodeScalar(byte)) : String(format: "=%02X", byte)
            if width + piece.count > 75 {
                output += "=\r\n"
                width = 0
            }
            output += piece
            width += piece.count
        }
        return output
    }
}
