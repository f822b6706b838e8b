import AgoraStore
import Foundation

/// A card payment service behind the shop (SPEC §6.9). `agora serve --payments manual` has none:
/// the owner marks orders paid by hand. The server never takes an amount from the browser: every
/// payment is made for the order as the store keeps it.
public protocol PaymentProvider: Sendable {
    /// What the browser loads and uses to turn a card into a token (Stripe.js and its key).
    var browser: PaymentBrowserSetup { get }
    /// Opens payment number `attempt` for the order's total, in its currency, with the order number
    /// in its metadata; the same order and attempt always name the same payment (idempotent).
    func createPayment(for order: Order, attempt: Int) async throws -> ProviderPayment
    func payment(_ reference: String) async throws -> ProviderPayment
    /// Pays with the card behind `token` (made in the browser): attaches it and confirms.
    func pay(_ reference: String, token: String) async throws -> ProviderPayment
    /// Gives up a payment that was never made (an unpaid order released).
    func cancel(_ reference: String) async throws
    /// Returns the money of a payment that succeeded; true once the provider says it is done.
    func refund(_ reference: String) async throws -> Bool
    /// The event in a webhook delivery, once its signature proves the provider sent it.
    func verifiedEvent(payload: [UInt8], signature: String?, now: Int64) throws -> ProviderEvent
}

public struct PaymentBrowserSetup: Sendable, Equatable {
    public let scriptURL: String
    public let publishableKey: String

    public init(scriptURL: String, publishableKey: String) {
        self.scriptURL = scriptURL
        self.publishableKey = publishableKey
    }
}

/// A payment as the provider sees it.
public struct ProviderPayment: Sendable, Equatable {
    public enum Status: String, Sendable {
        case requiresPaymentMethod = "requires_payment_method"
        case requiresConfirmation = "requires_confirmation"
        case requiresAction = "requires_action"
        case processing
        case requiresCapture = "requires_capture"
        case succeeded
        case canceled
    }

    public let reference: String
    public let status: Status
    /// What the browser passes to Stripe.js for a 3-D Secure step; never logged or stored.
    public let clientSecret: String
    public let amount: Int64
    public let currency: String
    /// Why the last attempt failed, when it did: the payment cannot be tried again with another card.
    public let failure: String?

    public init(reference: String, status: Status, clientSecret: String, amount: Int64, currency: String, failure: String?) {
        self.reference = reference
        self.status = status
        self.clientSecret = clientSecret
        self.amount = amount
        self.currency = currency
        self.failure = failure
    }

    /// A payment a card can still be given to; a failed or cancelled one needs a new attempt.
    public var acceptsCard: Bool {
        failure == nil && (status == .requiresPaymentMethod || status == .requiresConfirmation)
    }
}

/// A verified webhook event, reduced to what the shop acts on.
public struct ProviderEvent: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case paymentSucceeded
        case paymentFailed(message: String)
        case refunded
        /// Anything else the provider sends: acknowledged, not acted on.
        case other(String)
    }

    public let id: String
    public let kind: Kind
    /// The payment (PaymentIntent) it is about.
    public let reference: String?
    /// The order number from the payment's metadata.
    public let orderNumber: String?
    public let amount: Int64?
    public let currency: String?

    public init(id: String, kind: Kind, reference: String?, orderNumber: String?, amount: Int64?, currency: String?) {
        self.id = id
        self.kind = kind
        self.reference = reference
        self.orderNumber = orderNumber
        self.amount = amount
        self.currency = currency
    }
}

public enum PaymentError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The card was refused; the customer may try another.
    case declined(String)
    /// The provider refused the request (a bad key, a payment in the wrong state).
    case refused(status: Int, message: String)
    /// The provider could not be reached or answered nonsense; try again later.
    case unavailable(String)
    /// A webhook whose signature is missing, wrong or too old.
    case badSignature(String)
    /// A webhook body that is not an event.
    case malformedEvent(String)

    public var description: String {
        switch self {
        case .declined(let message): return message
        case .refused(let status, let message): return "the payment provider refused the request (\(status)): \(message)"
        case .unavailable(let message): return "the payment provider is unavailable: \(message)"
        case .badSignature(let message): return message
        case .malformedEvent(let message): return message
        }
    }
}
