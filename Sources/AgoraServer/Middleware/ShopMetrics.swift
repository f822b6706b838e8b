import AgoraStore
import Foundation
import Hummingbird
import Prometheus

/// `/metrics` in the Prometheus text format: requests by route and status, request latency,
/// orders placed, and the outbox's pending and failed messages (read from SQLite at scrape time,
/// so they are right even after a restart). The registry is this server's own, not a global.
public final class ShopMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let ordersPlaced: Prometheus.Counter
    private let viewIncrements: Prometheus.Counter
    private static let buckets: [Duration] = [.milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10),
                                              .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
                                              .milliseconds(500), .seconds(1), .seconds(2.5)]

    public init() {
        ordersPlaced = registry.makeCounter(name: "agora_orders_placed_total", help: "Orders placed since the server started.")
        viewIncrements = registry.makeCounter(name: "agora_view_increments_total", help: "View beacons counted since the server started.")
    }

    private struct RequestKind: Hashable {
        let route: String
        let method: String
        let status: Int
    }

    /// Each kind's series, found once: the registry's look-up by name and labels was 4 % of a
    /// request's CPU. Routes are patterns, so this stays as small as the registry itself.
    private let series = Locked<[RequestKind: (count: Prometheus.Counter, duration: Prometheus.DurationHistogram)]>([:])

    func request(route: String, method: String, status: Int, duration: Duration) {
        let kind = RequestKind(route: route, method: method, status: status)
        let found = series.withLock { $0[kind] } ?? {
            let made = (count: registry.makeCounter(name: "agora_http_requests_total",
                                                    labels: [("route", route), ("method", method), ("status", String(status))],
                                                    help: "HTTP requests by route, method and status."),
                        duration: registry.makeDurationHistogram(name: "agora_http_request_duration_seconds", labels: [("route", route)],
                                                                 buckets: Self.buckets, help: "Time to answer a request."))
            series.withLock { $0[kind] = made }
            return made
        }()
        found.count.increment()
        found.duration.record(duration)
    }

    func orderPlaced() { ordersPlaced.increment() }
    func viewCounted() { viewIncrements.increment() }

    /// The text exposition, with the outbox gauges refreshed first.
    func exposition(outbox: any OutboxStore) async -> String {
        if let counts = try? await outbox.counts() {
            for (status, value) in [("pending", counts.pending), ("failed", counts.failed), ("sent", counts.sent)] {
                registry.makeGauge(name: "agora_outbox_messages", labels: [("status", status)],
                                   help: "Order mail in the outbox by status.").set(Double(value))
            }
        }
        return registry.emitToString()
    }
}

/// Records every request in `ShopMetrics`, labelled by the route pattern (not the raw path, so
/// the number of series stays bounded).
struct RequestMetrics: RouterMiddleware {
    typealias Context = ShopContext
    let metrics: ShopMetrics

    func handle(_ request: Request, context: ShopContext, next: (Request, ShopContext) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let response = try await next(request, context)
        let route = context.endpointPath ?? (response.status == .notFound ? "unmatched" : "static")
        metrics.request(route: route, method: request.method.rawValue, status: Int(response.status.code), duration: ContinuousClock.now - started)
        return response
    }
}
