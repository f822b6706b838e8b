import AgoraContent
import GRDB

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
public enum CartOwner: Sendable, Equatable, CustomStringConvertible {
    case session(String)
    case account(Int64)

    var key: String {
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
    case invalidQuantity(Int)
    case outOfStock(sku: String, name: String, left: Int)
    case emptyCart
}

/// Cart lines, keyed by owner and sku (SPEC §6.3).
public struct CartStore: Sendable {
    public static let quantityRange = 1...20

    let database: AgoraDatabase

    public init(_ database: AgoraDatabase) {
        self.database = database
    }

    public func cart(_ owner: CartOwner) throws -> Cart {
        try database.pool.read { db in try Self.cart(owner, db) }
    }

    /// Adds `quantity` units (or sets the line to it with `replace`), refusing more than the
    /// units left. The check and the write are one transaction.
    public func add(_ item: CatalogItem, quantity: Int, replace: Bool, to owner: CartOwner) throws -> Cart {
        guard item.available else { throw ShopError.unknownProduct(sku: item.sku) }
        guard Self.quantityRange.contains(quantity) else { throw ShopError.invalidQuantity(quantity) }
        let now = database.clock.now()
        return try database.pool.write { db in
            let existing = try Int.fetchOne(db, sql: "SELECT quantity FROM cart_lines WHERE cart = ? AND sku = ?",
                                            arguments: [owner.key, item.sku]) ?? 0
            let wanted = replace ? quantity : existing + quantity
            let left = try Stock.unitsLeft(item, db)
            guard wanted <= left else { throw ShopError.outOfStock(sku: item.sku, name: item.name, left: max(0, left)) }
            try Self.setLine(owner, item, quantity: wanted, now: now, db)
            return try Self.cart(owner, db)
        }
    }

    public func remove(sku: String, from owner: CartOwner) throws -> Cart {
        try database.pool.write { db in
            try db.execute(sql: "DELETE FROM cart_lines WHERE cart = ? AND sku = ?", arguments: [owner.key, sku])
            return try Self.cart(owner, db)
        }
    }

    /// Sets a line's quantity at the catalog's current price, remembering the old price when it differs.
    static func setLine(_ owner: CartOwner, _ item: CatalogItem, quantity: Int, now: Int64, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO cart_lines (cart, sku, name, unit_price_minor, quantity, added_at) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (cart, sku) DO UPDATE SET
                quantity = excluded.quantity, name = excluded.name, unit_price_minor = excluded.unit_price_minor,
                price_changed_from_minor = CASE WHEN cart_lines.unit_price_minor <> excluded.unit_price_minor
                                                THEN cart_lines.unit_price_minor ELSE cart_lines.price_changed_from_minor END
            """, arguments: [owner.key, item.sku, item.name, item.price.minorUnits, quantity, now])
    }

    static func cart(_ owner: CartOwner, _ db: Database) throws -> Cart {
        let rows = try Row.fetchAll(db, sql: """
            SELECT sku, name, unit_price_minor, quantity, price_changed_from_minor FROM cart_lines WHERE cart = ? ORDER BY added_at, sku
            """, arguments: [owner.key])
        return Cart(lines: rows.map { row in
            let changedFrom: Int64? = row["price_changed_from_minor"]
            return CartLine(sku: row["sku"], name: row["name"], unitPrice: Money(minorUnits: row["unit_price_minor"]),
                            quantity: row["quantity"], priceChangedFrom: changedFrom.map { Money(minorUnits: $0) })
        })
    }
}

/// Units left = manifest stock − units in orders that are not cancelled.
public enum Stock {
    public static func unitsSold(sku: String, _ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT units FROM units_sold WHERE sku = ?", arguments: [sku]) ?? 0
    }

    static func unitsLeft(_ item: CatalogItem, _ db: Database) throws -> Int {
        item.stock - (try unitsSold(sku: item.sku, db))
    }
}

extension AgoraDatabase {
    /// Units sold for every sku with sales.
    public func unitsSold() throws -> [String: Int] {
        try pool.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT sku, units FROM units_sold").map {
                ($0["sku"] as String, $0["units"] as Int)
            })
        }
    }

    public func unitsLeft(_ item: CatalogItem) throws -> Int {
        try pool.read { db in try Stock.unitsLeft(item, db) }
    }
}
