import AgoraPayments
import AgoraStore
import Foundation
import HTTPTypes
import Hummingbird

/// `POST /api/payments/stripe/webhook` (SPEC §6.9): the provider's word on a payment, believed
/// only once its signature checks out. Anything unsigned, mis-signed or stale is a 400 and
/// changes nothing; a replayed event is acknowledged and changes nothing more.
struct PaymentRoutes {
    let shop: Shop
    let log: LogSink

    func register(on router: Router<ShopContext>) {
        router.post("/api/payments/stripe/webhook") { request, context in
            var request = request
            guard let payments = shop.payments else {
                throw ShopHTTPError(.notFound, code: "payments_not_enabled", message: "This shop does not take card payments online")
            }
            let payload = Array(try await request.bodyData())
            do {
                let outcome = try await payments.receive(payload: payload, signature: request.headers[.stripeSignature], now: shop.now)
                if outcome == .applied { shop.mail?.wake() }
                return try Response.json(WebhookJSON(received: true, outcome: "\(outcome)"))
            } catch let error as PaymentError {
                log.write("payments: webhook refused: \(error)")
                throw ShopHTTPError(.badRequest, code: "invalid_webhook", message: error.description)
            } catch PaymentDesk.WebhookRefusal.amountMismatch {
                throw ShopHTTPError(.unprocessableContent, code: "amount_mismatch",
                                    message: "The event's amount or currency is not the order's")
            }
        }
    }
}

struct WebhookJSON: Encodable {
    let received: Bool
    let outcome: String
}

extension ShopHTTPError {
    /// A provider's refusal as the shopper or owner should see it: a declined card is the
    /// customer's to fix (402), an unreachable provider is worth a retry (503).
    init(payment error: PaymentError) {
        switch error {
        case .declined(let message):
            self.init(HTTPResponse.Status(code: 402, reasonPhrase: "Payment Required"), code: "card_declined", message: message)
        case .unavailable:
            self.init(.serviceUnavailable, code: "payment_provider_unavailable",
                      message: "Card payments cannot be taken right now; your order is kept. Try again in a minute.")
        case .refused(_, let message), .badSignature(let message), .malformedEvent(let message):
            self.init(.conflict, code: "payment_refused", message: message)
        }
    }
}

/// The Content Security Policy of a page that takes a card: the site's own policy, plus the
/// origin Stripe.js comes from (its script, frames and API), and Stripe's own hosts when it is
/// Stripe's script.
enum PaymentPagePolicy {
    static func contentSecurityPolicy(for setup: PaymentBrowserSetup) -> String {
        var hosts = [origin(setup.scriptURL)].compactMap { $0 }
        if hosts.contains("https://js.stripe.com") { hosts += ["https://api.stripe.com", "https://hooks.stripe.com", "https://m.stripe.network"] }
        let extra = hosts.joined(separator: " ")
        return "default-src 'self'; script-src 'self' \(extra); connect-src 'self' \(extra); frame-src \(extra); "
            + "img-src 'self' data:; object-src 'none'; base-uri 'none'; "
            + "frame-ancestors 'none'; form-action 'self'"
    }

    /// `scheme://host[:port]` of a URL, or nil.
    static func origin(_ url: String) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host else { return nil }
        return "\(scheme)://\(host)" + (components.port.map { ":\($0)" } ?? "")
    }
}
