import AgoraContent

/// What the store needs to know about a product from the catalog manifest.
public struct CatalogItem: Sendable, Equatable {
    public let sku: String
    public let name: String
    public let price: Money
    /// Units ever put on sale (the manifest's `stock`).
    public let stock: Int
    public let available: Bool

    public init(sku: String, name: String, price: Money, stock: Int, available: Bool) {
        self.sku = sku
        self.name = name
        self.price = price
        self.stock = stock
        self.available = available
    }
}

/// Whose cart: an anonymous session's or an account's.
public enum CartOwner: Sendable, Equatable, Hashable, CustomStringConvertible {
    case session(String)
    case account(Int64)

    /// The owner as one text key (`session:<hash>`, `account:<id>`), as the stores keep it.
    public var key: String {
        switch self {
        case .session(let hash): return "session:\(hash)"
        case .account(let id): return "account:\(id)"
        }
    }

    public var description: String { key }
}

public struct CartLine: Sendable, Equatable {
    public let sku: String
    public let name: String
    /// The price when the line was added or its quantity last changed (SPEC §6.11): new units
    /// are never bought at an old price.
    public let unitPrice: Money
    public let quantity: Int
    /// The line's earlier price, when its last quantity change moved it to the current one.
    public let priceChangedFrom: Money?

    public init(sku: String, name: String, unitPrice: Money, quantity: Int, priceChangedFrom: Money? = nil) {
        self.sku = sku
        self.name = name
        self.unitPrice = unitPrice
        self.quantity = quantity
        self.priceChangedFrom = priceChangedFrom
    }

    public var total: Money { unitPrice * quantity }
}

public struct Cart: Sendable, Equatable {
    public let lines: [CartLine]

    public init(lines: [CartLine]) {
        self.lines = lines
    }

    /// Sum of quantities.
    public var count: Int { lines.reduce(0) { $0 + $1.quantity } }
    public var total: Money { lines.reduce(.zero) { $0 + $1.total } }
    public var isEmpty: Bool { lines.isEmpty }
}

/// Why a cart or checkout change was refused.
public enum ShopError: Error, Equatable, Sendable {
    case unknownProduct(sku: String)
    /// Checkout of a cart holding products the shop no longer sells (removed, or `available:
    /// false` since they were added): every such line, in cart order, so the shopper can remove them.
    case noLongerForSale([StaleLine])
    /// No shipping zone takes this country (or it is not an ISO 3166-1 code).
    case cannotShip(country: String)
    case invalidQuantity(Int)
    case outOfStock(sku: String, name: String, left: Int)
    case emptyCart
}

/// A cart line whose product is no longer for sale.
public struct StaleLine: Sendable, Equatable {
    public let sku: String
    public let name: String

    public init(sku: String, name: String) {
        self.sku = sku
        self.name = name
    }

    /// The cart's lines that `catalog` no longer sells.
    public static func lines(of cart: Cart, catalog: (String) -> CatalogItem?) -> [StaleLine] {
        cart.lines.filter { catalog($0.sku)?.available != true }.map { StaleLine(sku: $0.sku, name: $0.name) }
    }
}

/// Cart lines, keyed by owner and sku (SPEC §6.3), and the stock they draw on.
public protocol CartStore: Sendable {
    func cart(_ owner: CartOwner) async throws -> Cart
    /// Adds `quantity` units (or sets the line to it with `replace`) at the item's current
    /// price, refusing more than the units left; the check and the write are one transaction.
    func add(_ item: CatalogItem, quantity: Int, replace: Bool, to owner: CartOwner) async throws -> Cart
    func remove(sku: String, from owner: CartOwner) async throws -> Cart
    /// Manifest stock minus units in orders that are not cancelled.
    func unitsLeft(_ item: CatalogItem) async throws -> Int
    /// Units sold for every sku with sales.
    func unitsSold() async throws -> [String: Int]
}

public enum CartRules {
    public static let quantityRange = 1...20
}
