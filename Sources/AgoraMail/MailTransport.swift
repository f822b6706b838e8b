import Foundation

/// Where finished messages go (SPEC §6.7). A transport either accepts a message or throws.
public protocol MailTransport: Sendable {
    func deliver(_ message: String, messageID: String) throws
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

    public func deliver(_ message: String, messageID: String) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let name = messageID.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "_" }
        let target = directory.appendingPathComponent(String(name) + ".eml")
        let temporary = directory.appendingPathComponent("." + String(name) + ".tmp")
        try Data(message.utf8).write(to: temporary)
        guard rename(temporary.path, target.path) == 0 else { throw MailTransportError.failed("cannot write \(target.path)") }
    }
}

/// Pipes the message to `<path> -t -i`: the interface of Postfix, Exim and msmtp. Exit status 0
/// means accepted.
public struct SendmailTransport: MailTransport {
    public let path: String

    public init(path: String) {
        self.path = path
        _ = Self.ignoreBrokenPipes
    }

    public var description: String { "sendmail:\(path)" }

    /// A program that exits without reading its input would otherwise kill this whole process
    /// with SIGPIPE on the write; ignored, the write fails with EPIPE and the delivery is retried.
    private static let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()

    public func deliver(_ message: String, messageID: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-t", "-i"]
        let input = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw MailTransportError.failed("cannot run \(path): \(error.localizedDescription)")
        }
        var written = true
        do {
            try input.fileHandleForWriting.write(contentsOf: Data(message.utf8))
        } catch {
            written = false  // it stopped reading (EPIPE); its exit status says why
        }
        try? input.fileHandleForWriting.close()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let detail = String(decoding: stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw MailTransportError.failed("\(path) exited with status \(process.terminationStatus)\(detail.isEmpty ? "" : ": \(detail)")")
        }
        guard written else { throw MailTransportError.failed("\(path) exited before reading the whole message") }
    }
}
