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

    /// The table is read only when the router found no route: the requests that do match one
    /// (nearly all) pay nothing here.
    func handle(_ request: Request, context: ShopContext, next: (Request, ShopContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            guard let refusal = Self.refusal(request) else { throw error }
            return refusal
        }
    }

    /// 405 when the path is one of the API's and the method is not one it takes.
    static func refusal(_ request: Request) -> Response? {
        let path = request.uri.path
        guard path.hasPrefix("/api/") || path == "/healthz" || path == "/metrics" else { return nil }
        let segments = path.split(separator: "/")
        guard let route = routes.first(where: { matches($0.path, segments) }) else { return nil }
        let allowed = route.methods.contains(.get) ? route.methods + [.head] : route.methods
        guard !allowed.contains(request.method) else { return nil }
        var response = Response.json(object: ShopHTTPError(.methodNotAllowed, code: "method_not_allowed",
                                                           message: "\(request.uri.path) does not take \(request.method)").json,
                                     status: .methodNotAllowed)
        response.headers[.allow] = allowed.map(\.rawValue).joined(separator: ", ")
        return response
    }

    static func matches(_ pattern: [Substring], _ segments: [Substring]) -> Bool {
        pattern.count == segments.count && zip(pattern, segments).allSatisfy { $0.hasPrefix(":") || $0 == $1 }
    }
}
