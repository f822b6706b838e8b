import HTTPTypes
import Hummingbird

/// Headers every response carries (SPEC §6.2): no MIME sniffing, and on HTML a Content Security
/// Policy that allows only this site's own scripts, styles and images.
struct SecurityHeaders: RouterMiddleware {
    typealias Context = ShopContext

    static let contentSecurityPolicy = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        + "frame-ancestors 'none'; form-action 'self'"

    func handle(_ request: Request, context: ShopContext, next: (Request, ShopContext) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.referrerPolicy] = "same-origin"
        if response.headers.value(.contentType)?.hasPrefix("text/html") == true {
            // A page that takes a card sets its own, wider policy (PaymentPagePolicy).
            if !response.headers.contains(.contentSecurityPolicy) { response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy }
            response.headers[.xFrameOptions] = "DENY"
        }
        return response
    }
}

extension HTTPField.Name {
    /// A header name written in this file: a valid token, checked once at first use.
    private static func constant(_ name: String) -> Self {
        guard let field = Self(name) else { preconditionFailure("\(name) is not a valid header name") }
        return field
    }

    static let xContentTypeOptions = constant("X-Content-Type-Options")
    static let xFrameOptions = constant("X-Frame-Options")
    static let referrerPolicy = constant("Referrer-Policy")
    static let secFetchSite = constant("Sec-Fetch-Site")
    static let idempotencyKey = constant("Idempotency-Key")
    static let retryAfter = constant("Retry-After")
    static let contentDisposition = constant("Content-Disposition")
    static let referer = constant("Referer")
    static let xForwardedFor = constant("X-Forwarded-For")
    static let forwarded = constant("Forwarded")
    static let xRealIP = constant("X-Real-IP")
    static let stripeSignature = constant("Stripe-Signature")
}
