import AgoraContent
import AgoraStore
import GRDB

/// Orders in SQLite. Checkout is its own transaction (not a group commit): it is rarer, bigger,
/// and the one write whose refusal a shopper must see at once.
struct SQLiteOrders: OrderStore {
    let database: SQLiteDatabase

    init(_ database: SQLiteDatabase) {
        self.database = database
    }

    func placeOrder(for owner: CartOwner, session: Session?, customer: Customer, currency: String,
                    catalog: @escaping @Sendable (String) -> CatalogItem?, pricing: PricingRules,
                    idempotency: IdempotencyKey?) async throws -> Order {
        let now = database.clock.now()
        return try await database.pool.write { db in
            let cart = try SQLiteCarts.cart(owner, db)
            guard !cart.isEmpty else { throw ShopError.emptyCart }
            let stale = StaleLine.lines(of: cart, catalog: catalog)
            guard stale.isEmpty else { throw ShopError.noLongerForSale(stale) }
            for line in cart.lines {
                guard let item = catalog(line.sku) else { continue }
                let left = try Stock.unitsLeft(item, db)
                guard line.quantity <= left else {
                    throw ShopError.outOfStock(sku: line.sku, name: line.name, left: max(0, left))
                }
            }
            guard let charges = pricing.charges(cart.lines, country: customer.country) else {
                throw ShopError.cannotShip(country: customer.country)
            }
            let number = try Self.freshNumber(db)
            try db.execute(sql: """
                INSERT INTO orders (number, status, session_hash, account_id, first_name, last_name, email, address,
                                    postal_code, city, country, subtotal_minor, shipping_minor, tax_minor, tax_included,
                                    total_minor, currency, created_at, updated_at)
                VALUES (?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [number, session?.idHash, session?.accountID, customer.firstName, customer.lastName,
                                 customer.email, customer.address, customer.postalCode, customer.city, customer.country,
                                 charges.subtotal.minorUnits, charges.shipping.minorUnits, charges.tax.minorUnits,
                                 charges.taxIncluded, charges.total.minorUnits, currency, now, now])
            let orderID = db.lastInsertedRowID
            try db.execute(sql: "INSERT INTO order_events (order_id, status, at) VALUES (?, 'pending', ?)", arguments: [orderID, now])
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
            try SQLiteOutbox.enqueueOrderMail(number: number, recipient: customer.email, at: now, db)
            if let idempotency {
                try SQLiteIdempotency.complete(idempotency, orderNumber: number, db)
            }
            guard let order = try Self.order(number: number, db) else { throw ShopError.emptyCart }
            return order
        }
    }

    func order(number: String) async throws -> Order? {
        try await database.snapshot { db in try Self.order(number: number, db) }
    }

    func orders(accountID: Int64) async throws -> [Order] {
        try await database.snapshot { db in
            try String.fetchAll(db, sql: "SELECT number FROM orders WHERE account_id = ? ORDER BY created_at DESC, id DESC",
                                arguments: [accountID]).compactMap { try Self.order(number: $0, db) }
        }
    }

    func count() async throws -> Int {
        try await database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM orders") ?? 0 }
    }

    func list(_ filter: OrderFilter, page: Int, perPage: Int) async throws -> (orders: [Order], total: Int) {
        let (whereClause, arguments) = Self.sql(filter)
        // Clamped so that no page number a caller passes can overflow the offset.
        let (offset, overflow) = max(0, page - 1).multipliedReportingOverflow(by: perPage)
        return try await database.snapshot { db in
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM orders \(whereClause)", arguments: arguments) ?? 0
            var pageArguments = arguments
            _ = pageArguments.append(contentsOf: [perPage, overflow ? Int.max : offset])
            let numbers = try String.fetchAll(db, sql: """
                SELECT number FROM orders \(whereClause) ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?
                """, arguments: pageArguments)
            return (try numbers.compactMap { try Self.order(number: $0, db) }, total)
        }
    }

    func apply(_ change: OrderChange, to number: String, note: String?) async throws -> Order {
        let now = database.clock.now()
        return try await database.pool.write { db in
            guard let order = try Self.order(number: number, db) else { throw OrderAdminError.unknownOrder(number) }
            if let refusal = change.refusal(number, status: order.status) { throw refusal }
            return try Self.apply(change, to: order, note: note, at: now, db)
        }
    }

    func record(_ event: PaymentEvent, eventID: String, for number: String) async throws -> PaymentEventOutcome {
        let now = database.clock.now()
        return try await database.pool.write { db in
            guard let order = try Self.order(number: number, db) else { throw OrderAdminError.unknownOrder(number) }
            try db.execute(sql: "INSERT OR IGNORE INTO payment_events (id, order_number, received_at) VALUES (?, ?, ?)",
                           arguments: [eventID, number, now])
            guard db.changesCount == 1 else { return .duplicate }
            switch event {
            case .failed(_, let message):
                try db.execute(sql: "UPDATE orders SET payment_error = ?, updated_at = ? WHERE number = ?", arguments: [message, now, number])
                return .applied(try Self.order(number: number, db) ?? order)
            case .succeeded(let reference), .refunded(let reference):
                let change: OrderChange = event == .succeeded(reference: reference) ? .markPaid : .refund
                if let refusal = change.refusal(number, status: order.status) { return .ignored(refusal) }
                let note = change == .markPaid ? "card payment \(reference)" : "refund of \(reference)"
                return .applied(try Self.apply(change, to: order, note: note, at: now, db))
            }
        }
    }

    func setPayment(_ number: String, reference: String, attempts: Int) async throws {
        let now = database.clock.now()
        try await database.pool.write { db in
            try db.execute(sql: """
                UPDATE orders SET payment_reference = ?, payment_attempts = ?, payment_error = NULL, updated_at = ? WHERE number = ?
                """, arguments: [reference, attempts, now, number])
        }
    }

    func order(paymentReference: String) async throws -> Order? {
        try await database.snapshot { db in
            guard let number = try String.fetchOne(db, sql: "SELECT number FROM orders WHERE payment_reference = ?",
                                                   arguments: [paymentReference]) else { return nil }
            return try Self.order(number: number, db)
        }
    }

    func pending(placedBefore time: Int64, limit: Int) async throws -> [String] {
        try await database.read { db in
            try String.fetchAll(db, sql: """
                SELECT number FROM orders WHERE status = 'pending' AND created_at < ? ORDER BY created_at LIMIT ?
                """, arguments: [time, limit])
        }
    }

    /// The change itself, inside the caller's transaction, once it is known to be allowed.
    private static func apply(_ change: OrderChange, to order: Order, note: String?, at now: Int64, _ db: Database) throws -> Order {
        try db.execute(sql: "UPDATE orders SET status = ?, updated_at = ? WHERE number = ?",
                       arguments: [change.target.rawValue, now, order.number])
        if let shipment = change.shipment {
            try db.execute(sql: "UPDATE orders SET carrier = ?, tracking = ? WHERE number = ?",
                           arguments: [shipment.carrier, shipment.tracking, order.number])
        }
        try db.execute(sql: """
            INSERT INTO order_events (order_id, status, at, note) SELECT id, ?, ?, ? FROM orders WHERE number = ?
            """, arguments: [change.target.rawValue, now, note, order.number])
        if change.returnsUnits(from: order.status) {
            for item in order.items {
                try db.execute(sql: "UPDATE units_sold SET units = MAX(0, units - ?) WHERE sku = ?", arguments: [item.quantity, item.sku])
            }
        }
        if let kind = change.customerMail {
            try SQLiteOutbox.enqueueOrderMail(kind, number: order.number, recipient: order.customer.email, at: now, db)
        }
        return try Self.order(number: order.number, db) ?? order
    }

    private static func sql(_ filter: OrderFilter) -> (String, StatementArguments) {
        var clauses: [String] = []
        var arguments: StatementArguments = []
        if let status = filter.status {
            clauses.append("status = ?")
            _ = arguments.append(contentsOf: [status.rawValue])
        }
        for (column, range) in [("created_at", OrderFilter.range(from: filter.from, to: filter.to)),
                                ("updated_at", OrderFilter.range(from: filter.updatedFrom, to: filter.updatedTo))] {
            if let start = range.start {
                clauses.append("\(column) >= ?")
                _ = arguments.append(contentsOf: [start])
            }
            if let end = range.end {
                clauses.append("\(column) < ?")
                _ = arguments.append(contentsOf: [end])
            }
        }
        if let terms = filter.searchTerms {
            clauses.append(#"(number = ? OR lower(email) LIKE ? ESCAPE '\' OR lower(first_name || ' ' || last_name) LIKE ? ESCAPE '\')"#)
            _ = arguments.append(contentsOf: [terms.number, terms.pattern, terms.pattern])
        }
        return (clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND "), arguments)
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
        let history = try Row.fetchAll(db, sql: "SELECT status, at, note FROM order_events WHERE order_id = ? ORDER BY id",
                                       arguments: [row["id"] as Int64]).map {
            OrderEvent(status: Order.Status(rawValue: $0["status"]) ?? .pending, at: $0["at"], note: $0["note"])
        }
        let carrier: String? = row["carrier"]
        let tracking: String? = row["tracking"]
        return Order(
            number: row["number"], status: Order.Status(rawValue: row["status"]) ?? .pending,
            customer: Customer(firstName: row["first_name"], lastName: row["last_name"], email: row["email"],
                               address: row["address"], postalCode: row["postal_code"], city: row["city"], country: row["country"]),
            items: items,
            charges: Charges(subtotal: Money(minorUnits: row["subtotal_minor"]), shipping: Money(minorUnits: row["shipping_minor"]),
                             tax: Money(minorUnits: row["tax_minor"]), taxIncluded: row["tax_included"]),
            currency: row["currency"],
            sessionHash: row["session_hash"], accountID: row["account_id"], createdAt: row["created_at"], history: history,
            shipment: carrier == nil && tracking == nil ? nil : Shipment(carrier: carrier, tracking: tracking),
            payment: OrderPayment(reference: row["payment_reference"], attempts: row["payment_attempts"], failure: row["payment_error"]))
    }

    /// A number no other order has; with 40 random bits a retry is almost never needed.
    private static func freshNumber(_ db: Database) throws -> String {
        while true {
            let number = OrderNumber.random()
            if try Int.fetchOne(db, sql: "SELECT 1 FROM orders WHERE number = ?", arguments: [number]) == nil { return number }
        }
    }
}
