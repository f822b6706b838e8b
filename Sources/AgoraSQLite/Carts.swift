import AgoraContent
import AgoraStore
import GRDB

/// Cart lines in SQLite (SPEC §6.3): writes are group-committed.
struct SQLiteCarts: CartStore {
    let database: SQLiteDatabase

    init(_ database: SQLiteDatabase) {
        self.database = database
    }

    func cart(_ owner: CartOwner) async throws -> Cart {
        try await database.read { db in try Self.cart(owner, db) }
    }

    func add(_ item: CatalogItem, quantity: Int, replace: Bool, to owner: CartOwner) async throws -> Cart {
        guard item.available else { throw ShopError.unknownProduct(sku: item.sku) }
        guard CartRules.quantityRange.contains(quantity) else { throw ShopError.invalidQuantity(quantity) }
        let now = database.clock.now()
        return try await database.write { db in
            let existing = try Int.fetchOne(db.cachedStatement(sql: "SELECT quantity FROM cart_lines WHERE cart = ? AND sku = ?"),
                                            arguments: [owner.key, item.sku]) ?? 0
            let wanted = replace ? quantity : existing + quantity
            let left = try Stock.unitsLeft(item, db)
            guard wanted <= left else { throw ShopError.outOfStock(sku: item.sku, name: item.name, left: max(0, left)) }
            try Self.setLine(owner, item, quantity: wanted, now: now, db)
            return try Self.cart(owner, db)
        }
    }

    func remove(sku: String, from owner: CartOwner) async throws -> Cart {
        try await database.write { db in
            try db.run(sql: "DELETE FROM cart_lines WHERE cart = ? AND sku = ?", arguments: [owner.key, sku])
            return try Self.cart(owner, db)
        }
    }

    func unitsLeft(_ item: CatalogItem) async throws -> Int {
        try await database.read { db in try Stock.unitsLeft(item, db) }
    }

    func unitsSold() async throws -> [String: Int] {
        try await database.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db.cachedStatement(sql: "SELECT sku, units FROM units_sold")).map {
                ($0["sku"] as String, $0["units"] as Int)
            })
        }
    }

    /// Sets a line's quantity at the catalog's current price, remembering the old price when it differs.
    static func setLine(_ owner: CartOwner, _ item: CatalogItem, quantity: Int, now: Int64, _ db: Database) throws {
        try db.run(sql: """
            INSERT INTO cart_lines (cart, sku, name, unit_price_minor, quantity, added_at) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (cart, sku) DO UPDATE SET
                quantity = excluded.quantity, name = excluded.name, unit_price_minor = excluded.unit_price_minor,
                price_changed_from_minor = CASE WHEN cart_lines.unit_price_minor <> excluded.unit_price_minor
                                                THEN cart_lines.unit_price_minor ELSE cart_lines.price_changed_from_minor END
            """, arguments: [owner.key, item.sku, item.name, item.price.minorUnits, quantity, now])
    }

    static func cart(_ owner: CartOwner, _ db: Database) throws -> Cart {
        let rows = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT sku, name, unit_price_minor, quantity, price_changed_from_minor FROM cart_lines WHERE cart = ? ORDER BY added_at, sku
            """), arguments: [owner.key])
        // Columns by position, as selected: a name is looked up case-insensitively on every read.
        return Cart(lines: rows.map { row in
            let changedFrom: Int64? = row[4]
            return CartLine(sku: row[0], name: row[1], unitPrice: Money(minorUnits: row[2]), quantity: row[3],
                            priceChangedFrom: changedFrom.map { Money(minorUnits: $0) })
        })
    }
}

/// Units left = manifest stock − units in orders that are not cancelled.
enum Stock {
    static func unitsSold(sku: String, _ db: Database) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT units FROM units_sold WHERE sku = ?"), arguments: [sku]) ?? 0
    }

    static func unitsLeft(_ item: CatalogItem, _ db: Database) throws -> Int {
        item.stock - (try unitsSold(sku: item.sku, db))
    }
}
