import AgoraContent
import AgoraStore
import PostgresNIO

/// Orders in PostgreSQL. A checkout locks the `units_sold` row of every sku it buys (in sku
/// order, so two checkouts never wait on each other in a circle) before it checks the stock:
/// twenty shoppers on three servers racing for five units buy five.
struct PostgresOrders: OrderStore {
    let database: PostgresDatabase

    func placeOrder(for owner: CartOwner, session: Session?, customer: Customer, currency: String,
                    catalog: @escaping @Sendable (String) -> CatalogItem?, pricing: PricingRules,
                    idempotency: IdempotencyKey?) async throws -> Order {
        let now = database.clock.now()
        return try await database.transaction { db in
            let cart = try await PostgresCarts.cart(owner, db)
            guard !cart.isEmpty else { throw ShopError.emptyCart }
            let stale = StaleLine.lines(of: cart, catalog: catalog)
            guard stale.isEmpty else { throw ShopError.noLongerForSale(stale) }
            for line in cart.lines.sorted(by: { $0.sku < $1.sku }) {
                guard let item = catalog(line.sku) else { continue }
                let left = try await Stock.unitsLeft(item, db)
                guard line.quantity <= left else { throw ShopError.outOfStock(sku: line.sku, name: line.name, left: max(0, left)) }
            }
            guard let charges = pricing.charges(cart.lines, country: customer.country) else {
                throw ShopError.cannotShip(country: customer.country)
            }
            let number = try await Self.freshNumber(db)
            let orderID = try await db.rows("""
                INSERT INTO orders (number, status, session_hash, account_id, first_name, last_name, email, address,
                                    postal_code, city, country, subtotal_minor, shipping_minor, tax_minor, tax_included,
                                    total_minor, currency, created_at, updated_at)
                VALUES (\(number), 'pending', \(session?.idHash), \(session?.accountID), \(customer.firstName), \(customer.lastName),
                        \(customer.email), \(customer.address), \(customer.postalCode), \(customer.city), \(customer.country),
                        \(charges.subtotal.minorUnits), \(charges.shipping.minorUnits), \(charges.tax.minorUnits), \(charges.taxIncluded),
                        \(charges.total.minorUnits), \(currency), \(now), \(now))
                RETURNING id
                """).first?.decode(Int64.self) ?? 0
            try await db.rows("INSERT INTO order_events (order_id, status, at) VALUES (\(orderID), 'pending', \(now))")
            for (position, line) in cart.lines.enumerated() {
                try await db.rows("""
                    INSERT INTO order_items (order_id, position, sku, name, unit_price_minor, quantity)
                    VALUES (\(orderID), \(position), \(line.sku), \(line.name), \(line.unitPrice.minorUnits), \(line.quantity))
                    """)
                try await db.rows("UPDATE units_sold SET units = units + \(line.quantity) WHERE sku = \(line.sku)")
            }
            try await db.rows("DELETE FROM cart_lines WHERE cart = \(owner.key)")
            try await PostgresOutbox.enqueueOrderMail(number: number, recipient: customer.email, at: now, db)
            if let idempotency {
                try await db.rows("""
                    UPDATE idempotency_keys SET order_number = \(number) WHERE scope = \(idempotency.scope) AND key = \(idempotency.value)
                    """)
            }
            guard let order = try await Self.order(number: number, db) else { throw ShopError.emptyCart }
            return order
        }
    }

    func order(number: String) async throws -> Order? {
        try await database.transaction { db in try await Self.order(number: number, db) }
    }

    func orders(accountID: Int64) async throws -> [Order] {
        try await database.transaction { db in
            let numbers = try await db.rows("SELECT number FROM orders WHERE account_id = \(accountID) ORDER BY created_at DESC, id DESC")
                .map { try $0.decode(String.self) }
            return try await Self.orders(numbers: numbers, db)
        }
    }

    func count() async throws -> Int {
        try await database.rows("SELECT COUNT(*) FROM orders").first?.decode(Int.self) ?? 0
    }

    func list(_ filter: OrderFilter, page: Int, perPage: Int) async throws -> (orders: [Order], total: Int) {
        let (offset, overflow) = max(0, page - 1).multipliedReportingOverflow(by: perPage)
        let status = filter.status?.rawValue
        let (from, to) = OrderFilter.range(from: filter.from, to: filter.to)
        let (updatedFrom, updatedTo) = OrderFilter.range(from: filter.updatedFrom, to: filter.updatedTo)
        let terms = filter.searchTerms
        let number = terms?.number
        let pattern = terms?.pattern
        return try await database.transaction { db in
            // An absent filter is a NULL parameter, so both statements are fixed text with binds.
            let total = try await db.rows("""
                SELECT COUNT(*) FROM orders WHERE (\(status)::text IS NULL OR status = \(status))
                AND (\(from)::bigint IS NULL OR created_at >= \(from)) AND (\(to)::bigint IS NULL OR created_at < \(to))
                AND (\(updatedFrom)::bigint IS NULL OR updated_at >= \(updatedFrom))
                AND (\(updatedTo)::bigint IS NULL OR updated_at < \(updatedTo))
                AND (\(pattern)::text IS NULL OR number = \(number) OR lower(email) LIKE \(pattern)
                     OR lower(first_name || ' ' || last_name) LIKE \(pattern))
                """).first?.decode(Int.self) ?? 0
            let numbers = try await db.rows("""
                SELECT number FROM orders WHERE (\(status)::text IS NULL OR status = \(status))
                AND (\(from)::bigint IS NULL OR created_at >= \(from)) AND (\(to)::bigint IS NULL OR created_at < \(to))
                AND (\(updatedFrom)::bigint IS NULL OR updated_at >= \(updatedFrom))
                AND (\(updatedTo)::bigint IS NULL OR updated_at < \(updatedTo))
                AND (\(pattern)::text IS NULL OR number = \(number) OR lower(email) LIKE \(pattern)
                     OR lower(first_name || ' ' || last_name) LIKE \(pattern))
                ORDER BY created_at DESC, id DESC LIMIT \(perPage) OFFSET \(overflow ? Int.max : offset)
                """).map { try $0.decode(String.self) }
            return (try await Self.orders(numbers: numbers, db), total)
        }
    }

    /// The order's row is locked first, so two owners' changes on two servers take turns.
    func apply(_ change: OrderChange, to number: String, note: String?) async throws -> Order {
        let now = database.clock.now()
        return try await database.transaction { db in
            let order = try await Self.locked(number, db)
            if let refusal = change.refusal(number, status: order.status) { throw refusal }
            return try await Self.apply(change, to: order, note: note, at: now, db)
        }
    }

    /// The event id is inserted with the order's row locked: of two deliveries racing, the second
    /// waits, then finds the id and changes nothing.
    func record(_ event: PaymentEvent, eventID: String, for number: String) async throws -> PaymentEventOutcome {
        let now = database.clock.now()
        return try await database.transaction { db in
            let order = try await Self.locked(number, db)
            let inserted = try await db.rows("""
                INSERT INTO payment_events (id, order_number, received_at) VALUES (\(eventID), \(number), \(now))
                ON CONFLICT (id) DO NOTHING RETURNING 1
                """)
            guard !inserted.isEmpty else { return .duplicate }
            switch event {
            case .failed(_, let message):
                try await db.rows("UPDATE orders SET payment_error = \(message), updated_at = \(now) WHERE number = \(number)")
                return .applied(try await Self.order(number: number, db) ?? order)
            case .succeeded(let reference), .refunded(let reference):
                let change: OrderChange = event == .succeeded(reference: reference) ? .markPaid : .refund
                if let refusal = change.refusal(number, status: order.status) { return .ignored(refusal) }
                let note = change == .markPaid ? "card payment \(reference)" : "refund of \(reference)"
                return .applied(try await Self.apply(change, to: order, note: note, at: now, db))
            }
        }
    }

    func setPayment(_ number: String, reference: String, attempts: Int) async throws {
        let now = database.clock.now()
        try await database.rows("""
            UPDATE orders SET payment_reference = \(reference), payment_attempts = \(attempts), payment_error = NULL,
                              updated_at = \(now) WHERE number = \(number)
            """)
    }

    func order(paymentReference: String) async throws -> Order? {
        try await database.transaction { db in
            guard let number = try await db.rows("SELECT number FROM orders WHERE payment_reference = \(paymentReference)")
                .first?.decode(String.self) else { return nil }
            return try await Self.order(number: number, db)
        }
    }

    func pending(placedBefore time: Int64, limit: Int) async throws -> [String] {
        try await database.rows("""
            SELECT number FROM orders WHERE status = 'pending' AND created_at < \(time) ORDER BY created_at LIMIT \(limit)
            """).map { try $0.decode(String.self) }
    }

    private static func locked(_ number: String, _ db: Transaction) async throws -> Order {
        guard try await !db.rows("SELECT 1 FROM orders WHERE number = \(number) FOR UPDATE").isEmpty,
              let order = try await Self.order(number: number, db) else { throw OrderAdminError.unknownOrder(number) }
        return order
    }

    /// The change itself, inside the caller's transaction, once it is known to be allowed.
    private static func apply(_ change: OrderChange, to order: Order, note: String?, at now: Int64,
                              _ db: Transaction) async throws -> Order {
        let number = order.number
        try await db.rows("UPDATE orders SET status = \(change.target.rawValue), updated_at = \(now) WHERE number = \(number)")
        if let shipment = change.shipment {
            try await db.rows("UPDATE orders SET carrier = \(shipment.carrier), tracking = \(shipment.tracking) WHERE number = \(number)")
        }
        try await db.rows("""
            INSERT INTO order_events (order_id, status, at, note)
            SELECT id, \(change.target.rawValue), \(now), \(note) FROM orders WHERE number = \(number)
            """)
        if change.returnsUnits(from: order.status) {
            for item in order.items.sorted(by: { $0.sku < $1.sku }) {
                try await db.rows("UPDATE units_sold SET units = GREATEST(0, units - \(item.quantity)) WHERE sku = \(item.sku)")
            }
        }
        if let kind = change.customerMail {
            try await PostgresOutbox.enqueueOrderMail(kind, number: number, recipient: order.customer.email, at: now, db)
        }
        return try await Self.order(number: number, db) ?? order
    }

    static func order(number: String, _ db: Transaction) async throws -> Order? {
        try await orders(numbers: [number], db).first
    }

    /// The orders with these numbers, in this order, read with two statements however many there
    /// are (a page of the admin list is one round trip for the orders and one for their items).
    static func orders(numbers: [String], _ db: Transaction) async throws -> [Order] {
        guard !numbers.isEmpty else { return [] }
        var items: [String: [OrderItem]] = [:]
        for row in try await db.rows("""
            SELECT o.number, i.sku, i.name, i.unit_price_minor, i.quantity FROM order_items i JOIN orders o ON o.id = i.order_id
            WHERE o.number = ANY(\(numbers)) ORDER BY i.order_id, i.position
            """) {
            let (number, sku, name, price, quantity) = try row.decode((String, String, String, Int64, Int).self)
            items[number, default: []].append(OrderItem(sku: sku, name: name, unitPrice: Money(minorUnits: price), quantity: quantity))
        }
        var history: [String: [OrderEvent]] = [:]
        for row in try await db.rows("""
            SELECT o.number, e.status, e.at, e.note FROM order_events e JOIN orders o ON o.id = e.order_id
            WHERE o.number = ANY(\(numbers)) ORDER BY e.id
            """) {
            let (number, status, at, note) = try row.decode((String, String, Int64, String?).self)
            history[number, default: []].append(OrderEvent(status: Order.Status(rawValue: status) ?? .pending, at: at, note: note))
        }
        var found: [String: Order] = [:]
        for row in try await db.rows("""
            SELECT number, status, first_name, last_name, email, address, postal_code, city, currency,
                   session_hash, account_id, created_at, country, subtotal_minor, shipping_minor, tax_minor, tax_included,
                   carrier, tracking, payment_reference, payment_attempts, payment_error
            FROM orders WHERE number = ANY(\(numbers))
            """) {
            let (number, status, firstName, lastName, email, address, postalCode, city, currency, sessionHash, accountID, createdAt) =
                try row.decode((String, String, String, String, String, String, String, String, String, String?, Int64?, Int64).self)
            let columns = row.makeRandomAccess()
            let charges = Charges(subtotal: Money(minorUnits: try columns["subtotal_minor"].decode(Int64.self)),
                                  shipping: Money(minorUnits: try columns["shipping_minor"].decode(Int64.self)),
                                  tax: Money(minorUnits: try columns["tax_minor"].decode(Int64.self)),
                                  taxIncluded: try columns["tax_included"].decode(Bool.self))
            found[number] = Order(number: number, status: Order.Status(rawValue: status) ?? .pending,
                                  customer: Customer(firstName: firstName, lastName: lastName, email: email, address: address,
                                                     postalCode: postalCode, city: city, country: try columns["country"].decode(String.self)),
                                  items: items[number] ?? [], charges: charges, currency: currency,
                                  sessionHash: sessionHash, accountID: accountID, createdAt: createdAt,
                                  history: history[number] ?? [], shipment: try Self.shipment(columns),
                                  payment: OrderPayment(reference: try columns["payment_reference"].decode(String?.self),
                                                        attempts: try columns["payment_attempts"].decode(Int.self),
                                                        failure: try columns["payment_error"].decode(String?.self)))
        }
        return numbers.compactMap { found[$0] }
    }

    private static func shipment(_ columns: PostgresRandomAccessRow) throws -> Shipment? {
        let carrier = try columns["carrier"].decode(String?.self)
        let tracking = try columns["tracking"].decode(String?.self)
        return carrier == nil && tracking == nil ? nil : Shipment(carrier: carrier, tracking: tracking)
    }

    private static func freshNumber(_ db: Transaction) async throws -> String {
        while true {
            let number = OrderNumber.random()
            if try await db.rows("SELECT 1 FROM orders WHERE number = \(number)").isEmpty { return number }
        }
    }
}

/// Idempotency keys in PostgreSQL: the first request inserts the key; a concurrent one finds it
/// (the insert waits for the first transaction, then sees its row) and is told to wait.
struct PostgresIdempotency: IdempotencyStore {
    let database: PostgresDatabase

    func begin(_ key: IdempotencyKey) async throws -> IdempotencyOutcome {
        let now = database.clock.now()
        return try await database.transaction { db in
            let inserted = try await db.rows("""
                INSERT INTO idempotency_keys (scope, key, request_hash, order_number, created_at)
                VALUES (\(key.scope), \(key.value), \(key.requestHash), NULL, \(now))
                ON CONFLICT (scope, key) DO NOTHING RETURNING 1
                """)
            if !inserted.isEmpty { return .proceed }
            guard let row = try await db.rows("""
                SELECT request_hash, order_number, created_at FROM idempotency_keys WHERE scope = \(key.scope) AND key = \(key.value) FOR UPDATE
                """).first else { return .inProgress }
            let (requestHash, orderNumber, createdAt) = try row.decode((String, String?, Int64).self)
            if orderNumber == nil, now - createdAt < IdempotencyRules.abandonAfter { return .inProgress }
            guard requestHash == key.requestHash else { return .mismatch }
            if let orderNumber { return .replay(orderNumber: orderNumber) }
            try await db.rows("UPDATE idempotency_keys SET created_at = \(now) WHERE scope = \(key.scope) AND key = \(key.value)")
            return .proceed
        }
    }

    func abandon(_ key: IdempotencyKey) async throws {
        try await database.rows("""
            DELETE FROM idempotency_keys WHERE scope = \(key.scope) AND key = \(key.value) AND order_number IS NULL
            """)
    }
}
