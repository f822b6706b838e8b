import AgoraStore
import Foundation

/// Where finished messages go (SPEC §6.7). A transport either accepts a message or throws.
public protocol MailTransport: Sendable {
    func deliver(_ message: String, messageID: String) async throws
    var description: String { get }
}

/// Parses `--mail file:<dir>` or `--mail sendmail:<path>`.
public enum MailTransports {
    public static func parse(_ text: String) throws -> any MailTransport {
        if text.hasPrefix("file:") { return FileTransport(directory: URL(fileURLWithPath: String(text.dropFirst(5)))) }
        if text.hasPrefix("sendmail:") { return SendmailTransport(path: String(text.dropFirst(9))) }
        throw MailTransportError.unknown(text)
    }
}

public enum MailTransportError: Error, CustomStringConvertible {
    case unknown(String)
    case failed(String)

    public var description: String {
        switch self {
        case .unknown(let text): return "unknown mail transport \"\(text)\"; use file:<dir> or sendmail:<path>"
        case .failed(let message): return message
        }
    }
}

/// One `.eml` file per message, written to a temporary name and renamed, so a reader never sees
/// half a message. Useful in development and for handing mail to another system.
public struct FileTransport: MailTransport {
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    public var description: String { "file:\(directory.path)" }

    public func deliver(_ message: String, messageID: String) async throws {
        try await BlockingWork.run { try write(message, messageID: messageID) }
    }

    private func write(_ message: String, messageID: String) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let name = messageID.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "_" }
        let target = directory.appendingPathComponent(String(name) + ".eml")
        let temporary = directory.appendingPathComponent("." + String(name) + ".tmp")
        try Data(message.utf8).write(to: temporary)
        guard rename(temporary.path, target.path) == 0 else { throw MailTransportError.failed("cannot write \(target.path)") }
    }
}
