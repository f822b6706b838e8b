import AgoraStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Per-request state: who is asking and the session their cookie names.
public struct ShopContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    /// Set by `SessionMiddleware` when the cookie names a live session.
    public var session: Session?
    /// Cookies to send with the response, whatever handler or middleware decided them.
    let cookies = PendingCookies()

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// Bodies are capped for every route (SPEC §6.2).
    public var maxUploadSize: Int { ShopServer.bodyLimit }

    /// Whether the request came from this machine (for the admin reload until accounts exist).
    var isLoopback: Bool {
        switch remoteAddress {
        case .v4(let address)?: return address.host.hasPrefix("127.")
        case .v6(let address)?: return address.host == "::1" || address.host.hasPrefix("::ffff:127.")
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
