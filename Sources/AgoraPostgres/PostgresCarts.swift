import AgoraContent
import AgoraStore
import PostgresNIO

/// Cart lines in PostgreSQL. A line is checked against the units left when it is written, but
/// without locking the sku: a cart line reserves nothing, and the checkout, which does lock,
/// is the check that must be exact. Locking here made every shopper adding a popular product
/// wait for the others' commits (BENCHMARKS.md).
struct PostgresCarts: CartStore {
    let database: PostgresDatabase

    func cart(_ owner: CartOwner) async throws -> Cart {
        try await Self.cart(owner, database.rows(Self.cartQuery(owner)))
    }

    func add(_ item: CatalogItem, quantity: Int, replace: Bool, to owner: CartOwner) async throws -> Cart {
        guard item.available else { throw ShopError.unknownProduct(sku: item.sku) }
        guard CartRules.quantityRange.contains(quantity) else { throw ShopError.invalidQuantity(quantity) }
        let now = database.clock.now()
        return try await database.transaction { db in
            let existing = try await db.rows("SELECT quantity FROM cart_lines WHERE cart = \(owner.key) AND sku = \(item.sku)")
                .first?.decode(Int.self) ?? 0
            let wanted = replace ? quantity : existing + quantity
            let left = try await Stock.unitsLeftNow(item, db)
            guard wanted <= left else { throw ShopError.outOfStock(sku: item.sku, name: item.name, left: max(0, left)) }
            try await Self.setLine(owner, item, quantity: wanted, now: now, db)
            return try await Self.cart(owner, db)
        }
    }

    func remove(sku: String, from owner: CartOwner) async throws -> Cart {
        try await database.transaction { db in
            try await db.rows("DELETE FROM cart_lines WHERE cart = \(owner.key) AND sku = \(sku)")
            return try await Self.cart(owner, db)
        }
    }

    func unitsLeft(_ item: CatalogItem) async throws -> Int {
        let sold = try await database.rows("SELECT units FROM units_sold WHERE sku = \(item.sku)").first?.decode(Int.self) ?? 0
        return item.stock - sold
    }

    func unitsSold() async throws -> [String: Int] {
        Dictionary(uniqueKeysWithValues: try await database.rows("SELECT sku, units FROM units_sold").map { try $0.decode((String, Int).self) })
    }

    static func setLine(_ owner: CartOwner, _ item: CatalogItem, quantity: Int, now: Int64, _ db: Transaction) async throws {
        try await db.rows("""
            INSERT INTO cart_lines (cart, sku, name, unit_price_minor, quantity, added_at)
            VALUES (\(owner.key), \(item.sku), \(item.name), \(item.price.minorUnits), \(quantity), \(now))
            ON CONFLICT (cart, sku) DO UPDATE SET
                quantity = excluded.quantity, name = excluded.name, unit_price_minor = excluded.unit_price_minor,
                price_changed_from_minor = CASE WHEN cart_lines.unit_price_minor <> excluded.unit_price_minor
                                                THEN cart_lines.unit_price_minor ELSE cart_lines.price_changed_from_minor END
            """)
    }

    static func cartQuery(_ owner: CartOwner) -> PostgresQuery {
        """
        SELECT sku, name, unit_price_minor, quantity, price_changed_from_minor FROM cart_lines WHERE cart = \(owner.key)
        ORDER BY added_at, sku
        """
    }

    static func cart(_ owner: CartOwner, _ db: Transaction) async throws -> Cart {
        try cart(owner, await db.rows(cartQuery(owner)))
    }

    static func cart(_ owner: CartOwner, _ rows: [PostgresRow]) throws -> Cart {
        Cart(lines: try rows.map { row in
            let (sku, name, price, quantity, changedFrom) = try row.decode((String, String, Int64, Int, Int64?).self)
            return CartLine(sku: sku, name: name, unitPrice: Money(minorUnits: price), quantity: quantity,
                            priceChangedFrom: changedFrom.map { Money(minorUnits: $0) })
        })
    }
}

/// Units left = manifest stock − units in orders that are not cancelled. Read inside a
/// transaction, the sku's row is locked until it ends: a check and the write that follows it
/// see the same figure on every server.
enum Stock {
    /// The units left as of now, without a lock: for cart lines, which reserve nothing.
    static func unitsLeftNow(_ item: CatalogItem, _ db: Transaction) async throws -> Int {
        let sold = try await db.rows("SELECT units FROM units_sold WHERE sku = \(item.sku)").first?.decode(Int.self) ?? 0
        return item.stock - sold
    }

    static func unitsLeft(_ item: CatalogItem, _ db: Transaction) async throws -> Int {
        try await db.rows("INSERT INTO units_sold (sku, units) VALUES (\(item.sku), 0) ON CONFLICT (sku) DO NOTHING")
        let sold = try await db.rows("SELECT units FROM units_sold WHERE sku = \(item.sku) FOR UPDATE").first?.decode(Int.self) ?? 0
        return item.stock - sold
    }
}
