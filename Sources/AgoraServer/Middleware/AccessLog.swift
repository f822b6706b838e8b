import Foundation
import HTTPTypes
import Hummingbird
import ServiceLifecycle

/// One line per request on stderr: time, client, method, path, status, duration.
struct AccessLog: RouterMiddleware {
    typealias Context = ShopContext
    let sink: LogSink

    func handle(_ request: Request, context: ShopContext, next: (Request, ShopContext) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - started
        let milliseconds = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
        let client = context.remoteAddress?.ipAddress ?? "-"
        let duration = (milliseconds * 10).rounded() / 10
        sink.write("\(Self.timestamp()) \(client) \(request.method.rawValue) \(request.uri.string) \(response.status.code) \(duration)ms")
        return response
    }

    private static func timestamp() -> String {
        HTTPDate.iso8601(Date())
    }
}

/// Where log lines go: stderr by default, or nowhere (tests).
///
/// Lines go through stdio's buffer and are flushed four times a second by `LogFlusher`, a
/// service of the server, rather than one write system call per request; under load that is a
/// measurable share of the server's time. A `kill -9` can lose the last quarter second of
/// access-log lines, never a shop write; a graceful stop flushes them all.
public final class LogSink: Sendable {
    private let enabled: Bool

    public init(enabled: Bool = true) {
        self.enabled = enabled
    }

    public func write(_ line: String) {
        guard enabled, let stream = Self.stream else { return }
        fputs(line + "\n", stream.file)  // stdio locks the stream: lines never interleave
    }

    public func flush() {
        guard enabled, let stream = Self.stream else { return }
        fflush(stream.file)
    }

    /// A buffered stdio stream on file descriptor 2.
    private struct BufferedStream: @unchecked Sendable {
        let file: UnsafeMutablePointer<FILE>
    }

    private static let stream: BufferedStream? = {
        guard let file = fdopen(STDERR_FILENO, "w") else { return nil }
        setvbuf(file, nil, _IOFBF, 1 << 16)
        return BufferedStream(file: file)
    }()
}

/// Flushes the log four times a second while the server runs, and once more when it stops.
struct LogFlusher: Service {
    let sink: LogSink

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(250))
                sink.flush()
            }
        }
        sink.flush()
    }
}
