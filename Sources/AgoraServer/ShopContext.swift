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
    /// Headers are read as bytes; one with non-ASCII bytes is read as characters, as Hummingbird does.
    func cookieValue(_ name: String) -> String? {
        var name = name
        return name.withUTF8 { name in
            for field in headers where field.name == .cookie {
                var header = field.value
                switch header.withUTF8({ Self.cookie(named: name, inASCII: $0) }) {
                case .found(let value): return value
                case .absent: continue
                case .notASCII: if let value = Self.cookie(named: String(decoding: name, as: UTF8.self), in: field.value) { return value }
                }
            }
            return nil
        }
    }

    private enum CookieSearch {
        case found(String?)  // an empty value is no cookie, as in Hummingbird
        case absent
        case notASCII
    }

    private static func cookie(named name: UnsafeBufferPointer<UInt8>, inASCII header: UnsafeBufferPointer<UInt8>) -> CookieSearch {
        // A non-ASCII byte may start a character that joins the `;` or `=` before it.
        guard !header.contains(where: { $0 >= 0x80 }) else { return .notASCII }
        var start = 0
        while start < header.count {
            var end = start
            while end < header.count, header[end] != UInt8(ascii: ";") { end += 1 }
            var pair = start
            while pair < end, header[pair] == 0x20 || (0x09...0x0D).contains(header[pair]) { pair += 1 }
            var equals = pair
            while equals < end, header[equals] != UInt8(ascii: "=") { equals += 1 }
            if equals < end, equals - pair == name.count, zip(header[pair..<equals], name).allSatisfy({ $0 == $1 }) {
                let value = UnsafeBufferPointer(rebasing: header[(equals + 1)..<end])
                return .found(value.isEmpty ? nil : String(decoding: value, as: UTF8.self))
            }
            start = end + 1
        }
        return .absent
    }

    /// The same search over characters, for a header with non-ASCII bytes. `.some(nil)`: found, empty.
    private static func cookie(named name: String, in header: String) -> String?? {
        var rest = header[...]
        while !rest.isEmpty {
            let end = rest.firstIndex(of: ";") ?? rest.endIndex
            let pair = rest[..<end].drop(while: \.isWhitespace)
            if let equals = pair.firstIndex(of: "="), pair[..<equals] == name {
                let value = pair[pair.index(after: equals)...]
                return .some(value.isEmpty ? nil : String(value))
            }
            rest = end == rest.endIndex ? "" : rest[rest.index(after: end)...]
        }
        return nil
    }
}
