import HTTPTypes
import Hummingbird

/// Who is asking, for the login limits and the log (SPEC §6.11). The peer's address, unless the
/// peer is a proxy the owner named with `--trusted-proxy`: then the address that proxy put last
/// in `X-Forwarded-For` (the one it saw; entries before it are whatever the client claimed).
/// A request with forwarding headers never counts as coming from this machine.
struct ClientAddress: RouterMiddleware {
    typealias Context = ShopContext
    let trustedProxies: Set<String>

    func handle(_ request: Request, context: ShopContext, next: (Request, ShopContext) async throws -> Response) async throws -> Response {
        let forwardedFor = request.headers.value(.xForwardedFor)
        guard forwardedFor != nil || request.headers.value(.forwarded) != nil || request.headers.value(.xRealIP) != nil else {
            return try await next(request, context)
        }
        var context = context
        context.isForwarded = true
        if let forwardedFor, trustedProxies.contains(context.clientAddress),
           let last = forwardedFor.split(separator: ",").last?.trimmingCharacters(in: .whitespaces),
           (1...64).contains(last.utf8.count) {
            context.clientAddress = last
        }
        return try await next(request, context)
    }
}
