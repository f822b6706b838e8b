import Foundation
import HTTPTypes
import Hummingbird

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
public final class LogSink: Sendable {
    private let enabled: Bool
    private let lock = Mutex(())

    public init(enabled: Bool = true) {
        self.enabled = enabled
    }

    public func write(_ line: String) {
        guard enabled else { return }
        lock.withLock { _ in FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }
}
