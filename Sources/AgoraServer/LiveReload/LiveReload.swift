import AgoraStore
import Foundation

/// What `agora serve --watch` tells open pages after each rebuild.
public enum LiveReloadEvent: Sendable, Equatable {
    /// The output changed: reload the page.
    case reload
    /// The rebuild failed; the lines are shown over the page, and the last good output stays served.
    case buildFailed([String])
    /// Keeps idle connections (and proxies between) open.
    case ping

    /// The event in the Server-Sent Events format.
    var serverSentEvent: String {
        switch self {
        case .reload:
            return "event: reload\ndata: {}\n\n"
        case .buildFailed(let lines):
            let data = (try? JSONSerialization.data(withJSONObject: ["lines": lines], options: [.withoutEscapingSlashes])) ?? Data("{\"lines\":[]}".utf8)
            return "event: build-failed\ndata: \(String(decoding: data, as: UTF8.self))\n\n"
        case .ping:
            return ": ping\n\n"
        }
    }
}

/// Fans rebuild events out to every open page (Server-Sent Events on `/_agora/live`), as
/// `hugo server` does for its live reload.
public final class LiveReload: Sendable {
    private struct State {
        var subscribers: [UUID: AsyncStream<LiveReloadEvent>.Continuation] = [:]
        /// Sent to pages that connect while the last build is broken, so a reload shows it too.
        var failure: [String]?
        var closed = false
    }

    private let state = Locked(State())

    public init() {}

    /// A stream of events for one page; it ends when the page goes away or the server stops.
    func subscribe() -> AsyncStream<LiveReloadEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: LiveReloadEvent.self, bufferingPolicy: .bufferingNewest(8))
        let id = UUID()
        let (closed, failure) = state.withLock { state -> (Bool, [String]?) in
            if !state.closed { state.subscribers[id] = continuation }
            return (state.closed, state.failure)
        }
        if closed {
            continuation.finish()
        } else if let failure {
            continuation.yield(.buildFailed(failure))
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Sends `event` to every open page.
    public func publish(_ event: LiveReloadEvent) {
        let subscribers = state.withLock { state -> [AsyncStream<LiveReloadEvent>.Continuation] in
            switch event {
            case .reload: state.failure = nil
            case .buildFailed(let lines): state.failure = lines
            case .ping: break
            }
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers { subscriber.yield(event) }
    }

    /// Ends every stream, so that open pages do not hold a stopping server.
    public func close() {
        let subscribers = state.withLock { state -> [AsyncStream<LiveReloadEvent>.Continuation] in
            state.closed = true
            defer { state.subscribers = [:] }
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers { subscriber.finish() }
    }
}
