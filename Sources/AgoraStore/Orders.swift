import AgoraContent
import Foundation

/// The checkout form's fields (SPEC §5.1).
public struct Customer: Sendable, Equatable, Codable {
    public var firstName: String
    public var lastName: String
    public var email: String
    public var address: String
    public var postalCode: String
    public var city: String
    /// ISO 3166-1 alpha-2; empty in a shop that does not ship (no `shipping` in site.yml).
    public var country: String

    public init(firstName: String, lastName: String, email: String, address: String, postalCode: String, city: String,
                country: String = "") {
        self.firstName = firstName
        self.lastName = lastName
        self.email = email
        self.address = address
        self.postalCode = postalCode
        self.city = city
        self.country = country
    }
}

public struct OrderItem: Sendable, Equatable {
    public let sku: String
    public let name: String
    public let unitPrice: Money
    public let quantity: Int

    public init(sku: String, name: String, unitPrice: Money, quantity: Int) {
        self.sku = sku
        self.name = name
        self.unitPrice = unitPrice
        self.quantity = quantity
    }

    public var total: Money { unitPrice * quantity }
}

public struct Order: Sendable, Equatable {
    public enum Status: String, Sendable {
        case pending, paid, shipped, delivered, cancelled, refunded
    }

    public let number: String
    public let status: Status
    public let customer: Customer
    public let items: [OrderItem]
    /// Subtotal, shipping, tax and total, as the order was placed (SPEC §6.8).
    public let charges: Charges
    public var total: Money { charges.total }
    public let currency: String
    public let sessionHash: String?
    public let accountID: Int64?
    public let createdAt: Int64
    /// Every change of status, oldest first, starting with `pending` at `createdAt`.
    public let history: [OrderEvent]
    public let shipment: Shipment?
    public let payment: OrderPayment

    public init(number: String, status: Status, customer: Customer, items: [OrderItem], charges: Charges, currency: String,
                sessionHash: String?, accountID: Int64?, createdAt: Int64, history: [OrderEvent] = [], shipment: Shipment? = nil,
                payment: OrderPayment = OrderPayment()) {
        self.number = number
        self.status = status
        self.customer = customer
        self.items = items
        self.charges = charges
        self.currency = currency
        self.sessionHash = sessionHash
        self.accountID = accountID
        self.createdAt = createdAt
        self.history = history
        self.shipment = shipment
        self.payment = payment
    }
}

/// Which orders the owner wants to see.
public struct OrderFilter: Sendable, Equatable {
    public var status: Order.Status?
    /// Inclusive calendar days (UTC), `YYYY-MM-DD`, of the order's creation.
    public var from: String?
    public var to: String?
    /// The same for the order's last change (paid, cancelled), as the original admin's "updated".
    public var updatedFrom: String?
    public var updatedTo: String?
    /// An order number, or part of the customer's name or email, in any case.
    public var search: String?

    public init(status: Order.Status? = nil, from: String? = nil, to: String? = nil, updatedFrom: String? = nil,
                updatedTo: String? = nil, search: String? = nil) {
        self.status = status
        self.from = from
        self.to = to
        self.updatedFrom = updatedFrom
        self.updatedTo = updatedTo
        self.search = search
    }

    /// The search as backends match it: the order number in capitals (numbers are), and a
    /// lower-case `LIKE` pattern with `\` escaping `%`, `_` and itself, for names and emails.
    /// Nil when there is nothing to search for.
    public var searchTerms: (number: String, pattern: String)? {
        guard let text = search?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        var pattern = "%"
        for character in text.lowercased() {
            if character == "%" || character == "_" || character == "\\" { pattern.append("\\") }
            pattern.append(character)
        }
        return (text.uppercased(), pattern + "%")
    }

    /// Seconds (UTC) of an inclusive day range: from the first second of `from` to before the day after `to`.
    public static func range(from: String?, to: String?) -> (start: Int64?, end: Int64?) {
        (from.flatMap(epoch), to.flatMap(epoch).map { $0 + 86_400 })
    }

    /// The first second (UTC) of a calendar day, or nil when the text is not a real day.
    public static func epoch(_ day: String) -> Int64? {
        guard CalendarDate.isValid(day) else { return nil }
        let parts = day.split(separator: "-").compactMap { Int($0) }
        var time = tm()
        time.tm_year = Int32(parts[0] - 1900)
        time.tm_mon = Int32(parts[1] - 1)
        time.tm_mday = Int32(parts[2])
        return Int64(timegm(&time))
    }
}

public enum OrderAdminError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownOrder(String)
    case wrongStatus(number: String, status: Order.Status, wanted: Order.Status)

    public var description: String {
        switch self {
        case .unknownOrder(let number): return "no order \(number)"
        case .wrongStatus(let number, let status, let wanted): return "order \(number) is \(status.rawValue) and cannot become \(wanted.rawValue)"
        }
    }
}

/// Orders, the stock they consume, and what the shop owner does with them.
public protocol OrderStore: Sendable {
    /// Turns the cart into an order in one transaction: re-checks every line against the units
    /// left, writes the order and its items (as they were in the cart), counts the units as
    /// sold, empties the cart, queues the confirmation mail and, with `idempotency`, completes
    /// that key — all or nothing. Two shoppers racing for the last unit cannot both win.
    /// `pricing` adds shipping and tax to the cart's lines, for `customer.country`.
    func placeOrder(for owner: CartOwner, session: Session?, customer: Customer, currency: String,
                    catalog: @escaping @Sendable (String) -> CatalogItem?, pricing: PricingRules,
                    idempotency: IdempotencyKey?) async throws -> Order
    func order(number: String) async throws -> Order?
    /// An account's orders, newest first.
    func orders(accountID: Int64) async throws -> [Order]
    func count() async throws -> Int
    /// A page of orders, newest first, and how many match in all. Any page number is safe.
    func list(_ filter: OrderFilter, page: Int, perPage: Int) async throws -> (orders: [Order], total: Int)
    /// Changes the order's status in one transaction (SPEC §6.9): the order's row is locked, the
    /// change checked against its status, recorded in its history with `note`, units returned
    /// when the goods never left, and the customer's mail for it queued.
    func apply(_ change: OrderChange, to number: String, note: String?) async throws -> Order
    /// Applies what a payment provider said, once per `eventID` however often it is delivered
    /// (two deliveries racing included): `succeeded` marks a pending order paid, `failed`
    /// records the message, `refunded` marks it refunded.
    func record(_ event: PaymentEvent, eventID: String, for number: String) async throws -> PaymentEventOutcome
    /// Remembers the provider's reference of the order's current payment; `attempts` counts them.
    func setPayment(_ number: String, reference: String, attempts: Int) async throws
    /// The order whose current payment has this reference.
    func order(paymentReference: String) async throws -> Order?
    /// Numbers of `pending` orders placed before `time`, oldest first: the unpaid ones to release.
    func pending(placedBefore time: Int64, limit: Int) async throws -> [String]
}

extension OrderStore {
    public func placeOrder(for owner: CartOwner, session: Session?, customer: Customer, currency: String,
                           catalog: @escaping @Sendable (String) -> CatalogItem?, pricing: PricingRules = .none) async throws -> Order {
        try await placeOrder(for: owner, session: session, customer: customer, currency: currency, catalog: catalog,
                             pricing: pricing, idempotency: nil)
    }

    public func list(_ filter: OrderFilter = OrderFilter(), page: Int = 1) async throws -> (orders: [Order], total: Int) {
        try await list(filter, page: page, perPage: 50)
    }

    /// `pending` → `paid`, by the owner's hand.
    public func markPaid(_ number: String) async throws -> Order { try await apply(.markPaid, to: number, note: nil) }
    /// `pending` or `paid` → `cancelled`; the units go back on sale.
    public func cancel(_ number: String) async throws -> Order { try await apply(.cancel, to: number, note: nil) }
}

/// Orders as CSV (RFC 4180): fields quoted when needed, CRLF line ends, and cells that a
/// spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR) prefixed with `'`.
public enum OrderCSV {
    public static let header = ["number", "status", "created", "first_name", "last_name", "email", "address", "postal_code",
                                "city", "country", "items", "subtotal", "shipping", "tax", "tax_included", "total", "currency"]

    public static func document(_ orders: [Order]) -> String {
        var lines = [row(header)]
        for order in orders {
            let items = order.items.map { "\($0.quantity) x \($0.sku) \($0.name) @ \($0.unitPrice.decimalString)" }.joined(separator: "; ")
            let created = Date(timeIntervalSince1970: TimeInterval(order.createdAt)).formatted(.iso8601)
            lines.append(row([order.number, order.status.rawValue, created, order.customer.firstName, order.customer.lastName,
                              order.customer.email, order.customer.address, order.customer.postalCode, order.customer.city,
                              order.customer.country, items, order.charges.subtotal.decimalString,
                              order.charges.shipping.decimalString, order.charges.tax.decimalString,
                              order.charges.taxIncluded ? "true" : "false", order.total.decimalString, order.currency]))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    static func row(_ cells: [String]) -> String {
        cells.map(cell).joined(separator: ",")
    }

    static func cell(_ value: String) -> String {
        var text = value
        if let first = text.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) { text = "'" + text }
        // Scalars, not Characters: "\r\n" is one Character and would slip past a Character test.
        guard text.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// `Idempotency-Key` for order creation, with the semantics of Stripe and the IETF draft: the
/// same key and body return the same order; the same key with another body is refused; a key
/// whose first request is still running is a conflict.
public struct IdempotencyKey: Sendable, Equatable {
    /// The session or account the key belongs to: keys are never shared between shoppers.
    public let scope: String
    public let value: String
    /// A digest of the request body.
    public let requestHash: String

    public init(scope: String, value: String, requestHash: String) {
        self.scope = scope
        self.value = value
        self.requestHash = requestHash
    }
}

public enum IdempotencyOutcome: Sendable, Equatable {
    /// First use: go ahead, then complete (inside the order transaction) or abandon.
    case proceed
    case replay(orderNumber: String)
    case mismatch
    case inProgress
}

public protocol IdempotencyStore: Sendable {
    func begin(_ key: IdempotencyKey) async throws -> IdempotencyOutcome
    /// Forgets a key whose request failed, so the client may retry with it.
    func abandon(_ key: IdempotencyKey) async throws
}

public enum IdempotencyRules {
    /// A running request older than this is taken as crashed; its key can be used again.
    public static let abandonAfter: Int64 = 60
}
