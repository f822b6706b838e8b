import AgoraStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Per-request state: who is asking and the session their cookie names.
public struct ShopContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    /// The connection, to tell a client that went away from a failure of ours.
    let channel: any Channel
    /// The client's address: the peer's, or with `--trusted-proxy`, the one the proxy reports
    /// (set by `ClientAddress`). Login limits count per client.
    public var clientAddress: String
    /// The request came through a proxy (it carries forwarding headers).
    var isForwarded = false
    /// Set by `SessionMiddleware` when the cookie names a live session.
    public var session: Session?
    /// Cookies to send with the response, whatever handler or middleware decided them.
    let cookies = PendingCookies()

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        channel = source.channel
        clientAddress = source.channel.remoteAddress?.ipAddress ?? "-"
    }

    /// Bodies are capped for every route (SPEC §6.2).
    public var maxUploadSize: Int { ShopServer.bodyLimit }

    /// Whether the request came from this machine, and not through a proxy on it.
    var isLoopback: Bool {
        !isForwarded && Self.isLoopback(remoteAddress)
    }

    static func isLoopback(_ address: SocketAddress?) -> Bool {
        switch address {
        case .v4(let address)?: return address.host.hasPrefix("127.")
        case .v6(let address)?: return address.host == "::1" || address.host.hasPrefix("::ffff:127.")
        case .unixDomainSocket?: return true
        default: return false
        }
    }
}

final class PendingCookies: Sendable {
    private let cookies = Locked<[Cookie]>([])

    func add(_ cookie: Cookie) {
        cookies.withLock { list in
            list.removeAll { $0.name == cookie.name }
            list.append(cookie)
        }
    }

    var all: [Cookie] { cookies.withLock { $0 } }
}

extension Request {
    /// The value of cookie `name` as `cookies[name]?.value` gives it, without parsing every cookie of
    /// the request into `Cookie` values first: that was a few percent of each logged-in request.
    func cookieValue(_ name: String) -> String? {
        for header in headers[values: .cookie] {
            var rest = header[...]
            while !rest.isEmpty {
                let end = rest.firstIndex(of: ";") ?? rest.endIndex
                let pair = rest[..<end].drop(while: \.isWhitespace)
                if let equals = pair.firstIndex(of: "="), pair[..<equals] == name {
                    let value = pair[pair.index(after: equals)...]
                    return value.isEmpty ? nil : String(value)  // as Hummingbird: an empty value is no cookie
                }
                rest = end == rest.endIndex ? "" : rest[rest.index(after: end)...]
            }
        }
        return nil
    }
}
