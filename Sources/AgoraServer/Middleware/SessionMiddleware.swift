import AgoraStore
import Foundation
import HTTPTypes
import Hummingbird

/// Reads the `agora_session` cookie into the context and sends the cookies handlers decided
/// on. It never creates a session: `Sessions.ensure` does, only when something must be kept.
struct SessionMiddleware: RouterMiddleware {
    typealias Context = ShopContext
    let sessions: Sessions

    func handle(_ request: Request, context: ShopContext, next: (Request, ShopContext) async throws -> Response) async throws -> Response {
        var context = context
        if let secret = request.cookieValue(Sessions.cookieName), let session = try await sessions.store.find(secret: secret) {
            context.session = session
            if let extended = try await sessions.store.refresh(session) {
                context.session = extended
                context.cookies.add(sessions.cookie(secret))
            }
        }
        var response = try await next(request, context)
        for cookie in context.cookies.all { response.setCookie(cookie) }
        return response
    }
}

/// Session cookies and their rules (SPEC §6.1).
public struct Sessions: Sendable {
    public static let cookieName = "agora_session"

    let store: any SessionStore
    /// `Secure` on the cookie, for sites served over HTTPS (`--secure-cookies`).
    let secureCookies: Bool
    /// Seconds a new or extended session lives (`--session-days`), the cookie's Max-Age.
    let lifetime: Int64

    /// The session of this request, created (and its cookie queued) if there is none yet.
    func ensure(_ context: inout ShopContext) async throws -> Session {
        if let session = context.session { return session }
        let (secret, session) = try await store.create(accountID: nil)
        context.session = session
        context.cookies.add(cookie(secret))
        return session
    }

    /// Tells the browser to forget the session cookie (logout).
    func expiredCookie() -> Cookie {
        Cookie(name: Self.cookieName, value: "", maxAge: 0, path: "/", secure: secureCookies, httpOnly: true, sameSite: .lax)
    }

    func cookie(_ secret: String) -> Cookie {
        Cookie(name: Self.cookieName, value: secret, maxAge: Int(lifetime), path: "/",
               secure: secureCookies, httpOnly: true, sameSite: .lax)
    }
}
