import Foundation
import Logging

/// Warnings and errors of the server's own machinery, on standard error. swift-log's
/// `StreamLogHandler` formats its metadata again each time a value is set, and Hummingbird sets
/// the request id on every request's logger: that was 4 % of a request's CPU for lines that,
/// below the warning level, are never written. This one formats only what it writes.
struct ServerLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .warning
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String,
             file: String, function: String, line: UInt) {
        let all = metadata.merging(explicit ?? [:]) { _, new in new }
        let fields = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let text = "\(HTTPDate.iso8601(Date())) \(level) \(label): \(fields.isEmpty ? "" : fields + " ")\(message)\n"
        FileHandle.standardError.write(Data(text.utf8))
    }
}
