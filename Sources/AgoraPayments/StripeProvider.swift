import AgoraStore
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Stripe's PaymentIntents API (SPEC §6.9), or any server that speaks it (`--stripe-api`, which
/// the tests point at localstripe).
///
/// The card flow is the one that works with both Stripe and localstripe's fake Stripe.js: the
/// browser turns the card into a token (`createToken`), the server attaches the token's card to
/// the order's PaymentIntent and confirms it, and when the bank asks for 3-D Secure the browser
/// finishes with `confirmCardPayment`. The amount and currency are the order's, set by the server
/// when it creates the intent; the browser only ever sends a token.
public struct StripeProvider: PaymentProvider {
    public let browser: PaymentBrowserSetup
    let api: String
    let secretKey: String
    let signature: StripeSignature
    let client: HTTPClient

    public init(api: String, secretKey: String, webhookSecret: String, browser: PaymentBrowserSetup, client: HTTPClient = .shared) {
        self.api = api.hasSuffix("/") ? String(api.dropLast()) : api
        self.secretKey = secretKey
        self.signature = StripeSignature(secret: webhookSecret)
        self.browser = browser
        self.client = client
    }

    public func createPayment(for order: Order, attempt: Int) async throws -> ProviderPayment {
        // The order number (and attempt) is the Idempotency-Key: a retried request after a lost
        // answer gets the same intent back instead of a second one.
        try await intent(.POST, "/v1/payment_intents", [
            ("amount", String(order.total.minorUnits)), ("currency", order.currency.lowercased()),
            ("metadata[order]", order.number),
        ], idempotencyKey: attempt <= 1 ? order.number : "\(order.number)-\(attempt)")
    }

    public func payment(_ reference: String) async throws -> ProviderPayment {
        try await intent(.GET, "/v1/payment_intents/\(try Self.pathComponent(reference))", [])
    }

    public func pay(_ reference: String, token: String) async throws -> ProviderPayment {
        let id = try Self.pathComponent(reference)
        let card = try await tokenCard(token)
        _ = try await intent(.POST, "/v1/payment_intents/\(id)", [("payment_method", card)])
        return try await intent(.POST, "/v1/payment_intents/\(id)/confirm", [])
    }

    public func cancel(_ reference: String) async throws {
        _ = try await intent(.POST, "/v1/payment_intents/\(try Self.pathComponent(reference))/cancel", [])
    }

    public func refund(_ reference: String) async throws -> Bool {
        let body = try await call(.POST, "/v1/refunds", [("payment_intent", reference)], idempotencyKey: "refund-\(reference)")
        let refund = try decode(StripeRefund.self, body)
        return refund.status == "succeeded"
    }

    public func verifiedEvent(payload: [UInt8], signature header: String?, now: Int64) throws -> ProviderEvent {
        try signature.verify(payload: payload, header: header, now: now)
        guard let event = try? JSONDecoder().decode(StripeEvent.self, from: Data(payload)) else {
            throw PaymentError.malformedEvent("the body is not a Stripe event")
        }
        let object = event.data.object
        let kind: ProviderEvent.Kind
        switch event.type {
        case "payment_intent.succeeded": kind = .paymentSucceeded
        case "payment_intent.payment_failed":
            kind = .paymentFailed(message: object.last_payment_error?.message ?? "The payment failed.")
        case "charge.refunded": kind = .refunded
        default: kind = .other(event.type)
        }
        // A charge names its intent; an intent is its own reference.
        let reference = object.object == "charge" ? object.payment_intent : object.id
        return ProviderEvent(id: event.id, kind: kind, reference: reference, orderNumber: object.metadata?["order"],
                             amount: object.amount, currency: object.currency)
    }

    // MARK: - HTTP

    private func tokenCard(_ token: String) async throws -> String {
        let body = try await call(.GET, "/v1/tokens/\(try Self.pathComponent(token))", [])
        guard let card = try decode(StripeToken.self, body).card?.id else {
            throw PaymentError.declined("The card could not be read; please enter it again.")
        }
        return card
    }

    private func intent(_ method: HTTPMethod, _ path: String, _ form: [(String, String)],
                        idempotencyKey: String? = nil) async throws -> ProviderPayment {
        let intent = try decode(StripeIntent.self, try await call(method, path, form, idempotencyKey: idempotencyKey))
        return ProviderPayment(reference: intent.id, status: ProviderPayment.Status(rawValue: intent.status) ?? .processing,
                               clientSecret: intent.client_secret ?? "", amount: intent.amount, currency: intent.currency,
                               failure: intent.last_payment_error?.message)
    }

    private func call(_ method: HTTPMethod, _ path: String, _ form: [(String, String)],
                      idempotencyKey: String? = nil) async throws -> [UInt8] {
        let encoded = FormEncoding.encode(form)
        var request = HTTPClientRequest(url: api + path + (method == .GET && !encoded.isEmpty ? "?" + encoded : ""))
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(secretKey)")
        request.headers.add(name: "User-Agent", value: "Agora")
        if let idempotencyKey { request.headers.add(name: "Idempotency-Key", value: idempotencyKey) }
        if method == .POST {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: encoded))
        }
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await client.execute(request, timeout: .seconds(30))
            body = try await response.body.collect(upTo: 1 << 20)
        } catch {
            throw PaymentError.unavailable("\(error)")
        }
        let bytes = Array(body.readableBytesView)
        guard (200..<300).contains(response.status.code) else {
            let message = (try? JSONDecoder().decode(StripeErrorBody.self, from: Data(bytes)))?.error.message ?? "HTTP \(response.status.code)"
            if response.status.code == 402 { throw PaymentError.declined(message) }
            if response.status.code >= 500 || response.status.code == 429 { throw PaymentError.unavailable(message) }
            throw PaymentError.refused(status: Int(response.status.code), message: message)
        }
        return bytes
    }

    private func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch {
            throw PaymentError.unavailable("an answer that is not a Stripe \(type): \(error)")
        }
    }

    /// Ids go into URL paths: only Stripe's id alphabet may pass.
    static func pathComponent(_ id: String) throws -> String {
        guard !id.isEmpty, id.count <= 255, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            throw PaymentError.refused(status: 400, message: "not a payment id: \(id)")
        }
        return id
    }
}

// The parts of Stripe's objects the shop reads; field names are Stripe's.
private struct StripeError: Decodable { let message: String? }
private struct StripeErrorBody: Decodable { let error: StripeError }
private struct StripeIntent: Decodable {
    let id: String
    let status: String
    let client_secret: String?
    let amount: Int64
    let currency: String
    let last_payment_error: StripeError?
}
private struct StripeToken: Decodable {
    struct Card: Decodable { let id: String }
    let card: Card?
}
private struct StripeRefund: Decodable { let status: String? }
private struct StripeEvent: Decodable {
    struct Object: Decodable {
        let id: String?
        let object: String?
        let amount: Int64?
        let currency: String?
        let metadata: [String: String]?
        let payment_intent: String?
        let last_payment_error: StripeError?
    }
    struct Payload: Decodable { let object: Object }
    let id: String
    let type: String
    let data: Payload
}

/// `application/x-www-form-urlencoded`, with Stripe's `key[sub]` names.
enum FormEncoding {
    static func encode(_ fields: [(String, String)]) -> String {
        fields.map { escape($0.0) + "=" + escape($0.1) }.joined(separator: "&")
    }

    private static let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")

    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
