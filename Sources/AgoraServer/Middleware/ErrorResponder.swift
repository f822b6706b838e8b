import AgoraStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1

/// Turns every refusal into a proper answer: JSON `{"error": {...}}` under `/api/`, a page from
/// the theme elsewhere. Anything unexpected is logged and answered 500 without details.
struct ErrorResponder: RouterMiddleware {
    typealias Context = ShopContext
    let pages: DynamicPages
    let log: LogSink

    func handle(_ request: Request, context: ShopContext, next: (Request, ShopContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let refusal = Self.refusal(for: error)
            if refusal.status == .internalServerError {
                // A client that went away mid-request (its body cut short) is not our failure:
                // logged and counted as nginx does, 499, never as a 5xx (SPEC §6.11).
                guard !Self.clientLeft(error, context) else { return Response(status: Self.clientClosedRequest) }
            }
            if refusal.status.code >= 500 { log.write("error: \(request.method) \(request.uri.path): \(error)") }
            var response: Response
            if request.wantsJSON || request.uri.path == "/healthz" {
                response = .json(object: refusal.json, status: refusal.status)
            } else {
                response = pages.error(refusal, context: context)
            }
            if refusal.status == .serviceUnavailable { response.headers[.retryAfter] = "5" }
            for cookie in context.cookies.all { response.setCookie(cookie) }
            return response
        }
    }

    static func refusal(for error: Error) -> ShopHTTPError {
        switch error {
        case let refusal as ShopHTTPError:
            return refusal
        case let shopError as ShopError:
            return ShopHTTPError(shopError)
        case is StoreUnavailable:
            return ShopHTTPError(.serviceUnavailable, code: "database_unavailable",
                                 message: "The shop's database does not answer right now; please try again in a moment")
        case let decoding as DecodingError:
            return .badRequest("The JSON body does not fit: \(describe(decoding))")
        case let http as HTTPError:
            switch http.status {
            case .notFound: return .notFound()
            case .contentTooLarge:
                return ShopHTTPError(.contentTooLarge, code: "body_too_large", message: "The request body is too large")
            case .methodNotAllowed:
                return ShopHTTPError(.methodNotAllowed, code: "method_not_allowed", message: "This method is not allowed here")
            default:
                return ShopHTTPError(http.status, code: "bad_request", message: http.body ?? "The request could not be understood")
            }
        case let http as any HTTPResponseError where http.status == .contentTooLarge:
            // A chunked body that outgrew the limit while it was read.
            return ShopHTTPError(.contentTooLarge, code: "body_too_large", message: "The request body is too large")
        case let http as any HTTPResponseError where http.status.code < 500:
            return ShopHTTPError(http.status, code: "bad_request", message: "The request could not be understood")
        default:
            return ShopHTTPError(.internalServerError, code: "internal", message: "Something went wrong on our side")
        }
    }

    /// The connection ended under the request: closed, or its input ended inside the body.
    static func clientLeft(_ error: Error, _ context: ShopContext) -> Bool {
        switch error {
        case let parser as HTTPParserError: return parser == .invalidEOFState || parser == .closedConnection
        case let channel as ChannelError: return channel == .eof || channel == .ioOnClosedChannel || channel == .inputClosed
        default: return !context.channel.isActive
        }
    }

    /// "499 Client Closed Request", nginx's status for a client that left before the answer.
    static let clientClosedRequest = HTTPResponse.Status(code: 499, reasonPhrase: "Client Closed Request")

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): return "\"\(key.stringValue)\" is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "\"\(context.codingPath.map(\.stringValue).joined(separator: "."))\" has the wrong type"
        case .dataCorrupted: return "it is not valid JSON"
        @unknown default: return "it is not valid JSON"
        }
    }
}
