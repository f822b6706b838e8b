import HTTPTypes
import Hummingbird

/// `405 Method Not Allowed`, with `Allow`, for the API's paths asked with a method they do not
/// take (RFC 9110 §15.5.6), where the router alone would answer 404.
struct MethodNotAllowed: RouterMiddleware {
    typealias Context = ShopContext

    /// Every JSON endpoint (SPEC §5.2) and its methods; `:name` matches one path segment.
    static let routes: [(path: [Substring], methods: [HTTPRequest.Method])] = [
        ("/api/cart", [.get]), ("/api/cart/items", [.post]), ("/api/cart/items/:sku", [.delete]),
        ("/api/orders", [.post]), ("/api/orders/:number", [.get]), ("/api/orders/:number/payment", [.post]),
        ("/api/payments/stripe/webhook", [.post]), ("/api/products/:sku", [.get]), ("/api/views/product/:sku", [.post]),
        ("/api/views/person/:username", [.post]), ("/api/ranking", [.get]), ("/api/people/:username", [.get]),
        ("/api/follow", [.post]), ("/api/likes", [.post]), ("/api/feed", [.get]), ("/api/openapi.yaml", [.get]),
        ("/healthz", [.get]), ("/metrics", [.get]),
    ].map { (path: $0.0.split(separator: "/"), methods: $0.1) }

    func handle(_ request: Request, context: ShopContext, next: (Request, ShopContext) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        // Static files, the hot path, skip the table.
        guard path.hasPrefix("/api/") || path == "/healthz" || path == "/metrics" else { return try await next(request, context) }
        let segments = path.split(separator: "/")
        guard let route = Self.routes.first(where: { Self.matches($0.path, segments) }) else {
            return try await next(request, context)
        }
        let allowed = route.methods.contains(.get) ? route.methods + [.head] : route.methods
        guard allowed.contains(request.method) else {
            var response = Response.json(object: ShopHTTPError(.methodNotAllowed, code: "method_not_allowed",
                                                               message: "\(request.uri.path) does not take \(request.method)").json,
                                         status: .methodNotAllowed)
            response.headers[.allow] = allowed.map(\.rawValue).joined(separator: ", ")
            return response
        }
        return try await next(request, context)
    }

    static func matches(_ pattern: [Substring], _ segments: [Substring]) -> Bool {
        pattern.count == segments.count && zip(pattern, segments).allSatisfy { $0.hasPrefix(":") || $0 == $1 }
    }
}
