import AgoraContent
import GRDB

/// The checkout form's fields (SPEC §5.1).
public struct Customer: Sendable, Equatable, Codable {
    public var firstName: String
    public var lastName: String
    public var email: String
    public var address: String
    public var postalCode: String
    public var city: String

    public init(firstName: String, lastName: String, email: String, address: String, postalCode: String, city: String) {
        self.firstName = firstName
        self.lastName = lastName
        self.email = email
        self.address = address
        self.postalCode = postalCode
        self.city = city
    }
}

public struct OrderItem: Sendable, Equatable {
    public let sku: String
    public let name: String
    public let unitPrice: Money
    public let quantity: Int

    public var total: Money { unitPrice * quantity }
}

public struct Order: Sendable, Equatable {
    public enum Status: String, Sendable {
        case pending, paid, cancelled
    }

    public let number: String
    public let status: Status
    public let customer: Customer
    public let items: [OrderItem]
    public let total: Money
    public let currency: String
    public let sessionHash: String?
    public let accountID: Int64?
    public let createdAt: Int64
}

/// Orders and the stock they consume.
public struct OrderStore: Sendable {
    let database: AgoraDatabase

    public init(_ database: AgoraDatabase) {
        self.database = database
    }

    /// Turns the cart into an order in one transaction: re-checks every line against the units
    /// left, writes the order and its items (price, quantity and name as they were in the cart),
    /// counts the units as sold and empties the cart. Two shoppers racing for the last unit
    /// cannot both win: SQLite runs one write transaction at a time.
    ///
    /// `idempotency` ties the order to a key taken with `IdempotencyStore.begin`, in the same
    /// transaction, so a crash can never leave an order without its key or the reverse.
    public func placeOrder(for owner: CartOwner, session: Session?, customer: Customer, currency: String,
                           catalog: @Sendable (String) -> CatalogItem?, idempotency: IdempotencyStore.Key? = nil) throws -> Order {
        let now = database.clock.now()
        return try database.pool.write { db in
            let cart = try CartStore.cart(owner, db)
            guard !cart.isEmpty else { throw ShopError.emptyCart }
            for line in cart.lines {
                guard let item = catalog(line.sku), item.available else {
                    throw ShopError.unknownProduct(sku: line.sku)
                }
                let left = try Stock.unitsLeft(item, db)
                guard line.quantity <= left else {
                    throw ShopError.outOfStock(sku: line.sku, name: line.name, left: max(0, left))
                }
            }
            let number = try Self.freshNumber(db)
            try db.execute(sql: """
                INSERT INTO orders (number, status, session_hash, account_id, first_name, last_name, email, address,
                                    postal_code, city, total_minor, currency, created_at, updated_at)
                VALUES (?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [number, session?.idHash, session?.accountID, customer.firstName, customer.lastName,
                                 customer.email, customer.address, customer.postalCode, customer.city,
                                 cart.total.minorUnits, currency, now, now])
            let orderID = db.lastInsertedRowID
            for (position, line) in cart.lines.enumerated() {
                try db.execute(sql: """
                    INSERT INTO order_items (order_id, position, sku, name, unit_price_minor, quantity) VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [orderID, position, line.sku, line.name, line.unitPrice.minorUnits, line.quantity])
                try db.execute(sql: """
                    INSERT INTO units_sold (sku, units) VALUES (?, ?)
                    ON CONFLICT (sku) DO UPDATE SET units = units + excluded.units
                    """, arguments: [line.sku, line.quantity])
            }
            try db.execute(sql: "DELETE FROM cart_lines WHERE cart = ?", arguments: [owner.key])
            try Outbox.enqueueOrderMail(number: number, recipient: customer.email, at: now, db)
            if let idempotency {
                try IdempotencyStore.complete(idempotency, orderNumber: number, db)
            }
            guard let order = try Self.order(number: number, db) else { throw ShopError.emptyCart }
            return order
        }
    }

    public func order(number: String) throws -> Order? {
        try database.pool.read { db in try Self.order(number: number, db) }
    }

    /// An account's orders, newest first.
    public func orders(accountID: Int64) throws -> [Order] {
        try database.pool.read { db in
            try String.fetchAll(db, sql: "SELECT number FROM orders WHERE account_id = ? ORDER BY created_at DESC, id DESC",
                                arguments: [accountID]).compactMap { try Self.order(number: $0, db) }
        }
    }

    public func count() throws -> Int {
        try database.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM orders") ?? 0 }
    }

    static func order(number: String, _ db: Database) throws -> Order? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM orders WHERE number = ?", arguments: [number]) else {
            return nil
        }
        let items = try Row.fetchAll(db, sql: """
            SELECT sku, name, unit_price_minor, quantity FROM order_items WHERE order_id = ? ORDER BY position
            """, arguments: [row["id"] as Int64]).map {
            OrderItem(sku: $0["sku"], name: $0["name"], unitPrice: Money(minorUnits: $0["unit_price_minor"]), quantity: $0["quantity"])
        }
        return Order(
            number: row["number"], status: Order.Status(rawValue: row["status"]) ?? .pending,
            customer: Customer(firstName: row["first_name"], lastName: row["last_name"], email: row["email"],
                               address: row["address"], postalCode: row["postal_code"], city: row["city"]),
            items: items, total: Money(minorUnits: row["total_minor"]), currency: row["currency"],
            sessionHash: row["session_hash"], accountID: row["account_id"], createdAt: row["created_at"])
    }

    /// A number no other order has; with 40 random bits a retry is almost never needed.
    private static func freshNumber(_ db: Database) throws -> String {
        while true {
            let number = OrderNumber.random()
            if try Int.fetchOne(db, sql: "SELECT 1 FROM orders WHERE number = ?", arguments: [number]) == nil { return number }
        }
    }
}
