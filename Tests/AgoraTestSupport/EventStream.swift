import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A Server-Sent Events connection for tests: opens the stream and reads until an event arrives.
public final class EventStream: @unchecked Sendable {
    private let socket: Int32
    private var pending = ""

    /// Connects and sends the request; throws unless the server answers 200 with an event stream.
    public init(port: Int, path: String, timeout: TimeInterval = 30) throws {
        socket = try HTTPClient.connect(host: "127.0.0.1", port: port, timeout: timeout)
        try HTTPClient.writeAll(socket, Data("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAccept: text/event-stream\r\n\r\n".utf8))
        let head = try read(until: "\n\n")
        guard head.hasPrefix("HTTP/1.1 200"), head.lowercased().contains("content-type: text/event-stream") else {
            close(socket)
            throw HTTPClientError.malformed
        }
    }

    deinit { close(socket) }

    /// The next event named `name` (others are skipped) with its data; nil when the stream ends
    /// or nothing comes within the socket's timeout.
    public func next(_ name: String) -> String? {
        while true {
            guard let block = try? read(until: "\n\n") else { return nil }
            var event = "message"
            var data: [String] = []
            for line in block.split(separator: "\n") {
                if line.hasPrefix("event: ") { event = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { data.append(String(line.dropFirst(6))) }
            }
            if event == name { return data.joined(separator: "\n") }
        }
    }

    /// Text up to and including `marker`; chunked framing lines pass through harmlessly, since
    /// events are matched by their own lines.
    private func read(until marker: String) throws -> String {
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            if let range = pending.range(of: marker) {
                let text = String(pending[..<range.upperBound])
                pending = String(pending[range.upperBound...])
                return text
            }
            let count = recv(socket, &buffer, buffer.count, 0)
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw HTTPClientError.io(errno) }
            pending += String(decoding: buffer[..<count], as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
        }
    }
}
