import Foundation

/// Where a parcel went (SPEC §6.9): both parts optional, the tracking either a number or a URL.
public struct Shipment: Sendable, Equatable {
    public let carrier: String?
    public let tracking: String?

    public init(carrier: String?, tracking: String?) {
        self.carrier = carrier.flatMap(Self.clean)
        self.tracking = tracking.flatMap(Self.clean)
    }

    /// The tracking when it is a web address the customer can open, else nil.
    public var trackingURL: String? {
        guard let tracking, tracking.hasPrefix("https://") || tracking.hasPrefix("http://") else { return nil }
        return tracking
    }

    public static let maxLength = 200

    private static func clean(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }
}

/// One step of an order's life, as the customer's order page lists them.
public struct OrderEvent: Sendable, Equatable {
    public let status: Order.Status
    public let at: Int64
    /// Who or what made the change, in words ("card payment pi_…", "not paid within 48 hours").
    public let note: String?

    public init(status: Order.Status, at: Int64, note: String?) {
        self.status = status
        self.at = at
        self.note = note
    }
}

/// What a payment provider knows of an order: the reference of its current payment (a Stripe
/// PaymentIntent), how many were made, and why the last attempt failed, if it did.
public struct OrderPayment: Sendable, Equatable {
    public let reference: String?
    public let attempts: Int
    public let failure: String?

    public init(reference: String? = nil, attempts: Int = 0, failure: String? = nil) {
        self.reference = reference
        self.attempts = attempts
        self.failure = failure
    }
}

/// What the owner, the payment provider or the clock may do to an order (SPEC §6.3, §6.9), the
/// same on every backend:
///
///     pending → paid → shipped → delivered
///     pending, paid → cancelled          paid, shipped, delivered → refunded
public enum OrderChange: Sendable, Equatable {
    case markPaid
    case ship(Shipment)
    case deliver
    case cancel
    case refund

    /// The status the order gets.
    public var target: Order.Status {
        switch self {
        case .markPaid: return .paid
        case .ship: return .shipped
        case .deliver: return .delivered
        case .cancel: return .cancelled
        case .refund: return .refunded
        }
    }

    /// The statuses the change may start from.
    public var allowedFrom: Set<Order.Status> {
        switch self {
        case .markPaid: return [.pending]
        case .ship: return [.paid]
        case .deliver: return [.shipped]
        case .cancel: return [.pending, .paid]
        case .refund: return [.paid, .shipped, .delivered]
        }
    }

    /// Units go back on sale when the goods never left: a cancelled order, or one refunded before
    /// it shipped. A refund after shipping is money back; the parcel is the owner's business.
    public func returnsUnits(from status: Order.Status) -> Bool {
        switch self {
        case .cancel: return true
        case .refund: return status == .paid
        default: return false
        }
    }

    /// The customer's mail this change sends, through the outbox, in the change's transaction.
    public var customerMail: String? {
        switch self {
        case .markPaid: return OrderMailKind.paid
        case .ship: return OrderMailKind.shipped
        default: return nil
        }
    }

    public var shipment: Shipment? {
        if case .ship(let shipment) = self { return shipment }
        return nil
    }

    /// Why the order's status does not allow the change, or nil when it does.
    public func refusal(_ number: String, status: Order.Status) -> OrderAdminError? {
        allowedFrom.contains(status) ? nil : .wrongStatus(number: number, status: status, wanted: target)
    }
}

/// The kinds of order mail the outbox carries, each rendered from `mail/<kind>.txt`.
public enum OrderMailKind {
    public static let created = "order_created"
    public static let paid = "order_paid"
    public static let shipped = "order_shipped"
    /// To `owner_email`, not the customer.
    public static let newOrder = "new_order"
}

/// What a payment provider told the shop about an order, by a verified webhook.
public enum PaymentEvent: Sendable, Equatable {
    /// The money arrived (the amount and currency were checked against the order).
    case succeeded(reference: String)
    /// The attempt failed; the order stays `pending` and the customer may try again.
    case failed(reference: String, message: String)
    /// The provider confirmed a refund.
    case refunded(reference: String)
}

public enum PaymentEventOutcome: Sendable, Equatable {
    /// The event changed the order (or recorded its failure).
    case applied(Order)
    /// This event id was processed before; nothing changed.
    case duplicate
    /// The order's status does not take this event (a payment for a cancelled order, say);
    /// recorded so that it is not tried again.
    case ignored(OrderAdminError)
}
