import HTTPTypes
import Hummingbird

/// Cross-site request protection without tokens (SPEC §6.2), the rule of Go 1.25's
/// CrossOriginProtection: an unsafe request is refused when the browser says it is cross-site
/// (`Sec-Fetch-Site`), or, from browsers that do not send that header, when its `Origin` is not
/// this host. JSON endpoints also insist on a JSON body, which a plain HTML form cannot send.
struct CrossOriginGuard: RouterMiddleware {
    typealias Context = ShopContext

    /// Origins besides this host that may post (for example a separate admin host); empty by default.
    let trustedOrigins: Set<String>

    func handle(_ request: Request, context: ShopContext, next: (Request, ShopContext) async throws -> Response) async throws -> Response {
        guard Self.isUnsafe(request.method) else { return try await next(request, context) }
        if let site = request.headers.value(.secFetchSite)?.lowercased() {
            switch site {
            case "same-origin", "none":
                break
            default:
                guard let origin = request.headers.value(.origin), trustedOrigins.contains(origin) else { throw refusal }
            }
        } else if let origin = request.headers.value(.origin) {
            guard Self.origin(origin, matchesHost: request.head.authority) || trustedOrigins.contains(origin) else {
                throw refusal
            }
        }
        if request.uri.path.hasPrefix("/api/"), request.method != .delete, Self.hasBody(request) {
            let type = request.headers.value(.contentType)?.lowercased() ?? ""
            guard type.hasPrefix("application/json") else {
                throw ShopHTTPError(.unsupportedMediaType, code: "unsupported_media_type",
                                    message: "Send the request body as application/json")
            }
        }
        return try await next(request, context)
    }

    private var refusal: ShopHTTPError {
        ShopHTTPError(.forbidden, code: "cross_origin", message: "Cross-site requests are not allowed")
    }

    static func isUnsafe(_ method: HTTPRequest.Method) -> Bool {
        ![.get, .head, .options, .trace].contains(method)
    }

    private static func hasBody(_ request: Request) -> Bool {
        if let length = request.headers.value(.contentLength) { return length != "0" }
        return request.headers.value(.transferEncoding) != nil
    }

    /// `Origin: http://shop.example:8080` against `Host: shop.example:8080`.
    static func origin(_ origin: String, matchesHost host: String?) -> Bool {
        guard let host, !host.isEmpty, origin != "null" else { return false }
        guard let schemeEnd = origin.range(of: "://") else { return false }
        return origin[schemeEnd.upperBound...].lowercased() == host.lowercased()
    }
}

/// Refuses bodies over the limit before reading them (SPEC §6.2: 64 KiB); chunked bodies are
/// capped while they are read.
struct BodyLimit: RouterMiddleware {
    typealias Context = ShopContext
    let limit: Int

    func handle(_ request: Request, context: ShopContext, next: (Request, ShopContext) async throws -> Response) async throws -> Response {
        if let length = request.headers.value(.contentLength).flatMap({ Int($0) }), length > limit {
            throw ShopHTTPError(.contentTooLarge, code: "body_too_large", message: "The request body is larger than \(limit / 1024) KiB")
        }
        return try await next(request, context)
    }
}
