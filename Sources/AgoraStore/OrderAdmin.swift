import AgoraContent
import Foundation
import GRDB

/// What the shop owner does with orders: list and filter, mark paid, cancel, export.
extension OrderStore {
    public struct Filter: Sendable, Equatable {
        public var status: Order.Status?
        /// Inclusive calendar days (UTC), `YYYY-MM-DD`.
        public var from: String?
        public var to: String?

        public init(status: Order.Status? = nil, from: String? = nil, to: String? = nil) {
            self.status = status
            self.from = from
            self.to = to
        }

        fileprivate var sql: (String, StatementArguments) {
            var clauses: [String] = []
            var arguments: StatementArguments = []
            if let status {
                clauses.append("status = ?")
                _ = arguments.append(contentsOf: [status.rawValue])
            }
            if let from, let start = Self.epoch(from) {
                clauses.append("created_at >= ?")
                _ = arguments.append(contentsOf: [start])
            }
            if let to, let start = Self.epoch(to) {
                clauses.append("created_at < ?")
                _ = arguments.append(contentsOf: [start + 86_400])
            }
            return (clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND "), arguments)
        }

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

    /// A page of orders, newest first, and how many match in all.
    public func list(_ filter: Filter = Filter(), page: Int = 1, perPage: Int = 50) throws -> (orders: [Order], total: Int) {
        let (whereClause, arguments) = filter.sql
        return try database.pool.read { db in
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM orders \(whereClause)", arguments: arguments) ?? 0
            var pageArguments = arguments
            // Clamped so that no page number a caller passes can overflow the offset.
            let (offset, overflow) = max(0, page - 1).multipliedReportingOverflow(by: perPage)
            _ = pageArguments.append(contentsOf: [perPage, overflow ? Int.max : offset])
            let numbers = try String.fetchAll(db, sql: """
                SELECT number FROM orders \(whereClause) ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?
                """, arguments: pageArguments)
            return (try numbers.compactMap { try Self.order(number: $0, db) }, total)
        }
    }

    /// `pending` → `paid`.
    public func markPaid(_ number: String) throws -> Order {
        try change(number, from: [.pending], to: .paid, returnUnits: false)
    }

    /// `pending` or `paid` → `cancelled`; the units go back on sale.
    public func cancel(_ number: String) throws -> Order {
        try change(number, from: [.pending, .paid], to: .cancelled, returnUnits: true)
    }

    private func change(_ number: String, from allowed: Set<Order.Status>, to status: Order.Status, returnUnits: Bool) throws -> Order {
        let now = database.clock.now()
        return try database.pool.write { db in
            guard let order = try Self.order(number: number, db) else { throw OrderAdminError.unknownOrder(number) }
            guard allowed.contains(order.status) else {
                throw OrderAdminError.wrongStatus(number: number, status: order.status, wanted: status)
            }
            try db.execute(sql: "UPDATE orders SET status = ?, updated_at = ? WHERE number = ?", arguments: [status.rawValue, now, number])
            if returnUnits {
                for item in order.items {
                    try db.execute(sql: "UPDATE units_sold SET units = MAX(0, units - ?) WHERE sku = ?", arguments: [item.quantity, item.sku])
                }
            }
            return try Self.order(number: number, db) ?? order
        }
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

/// Orders as CSV (RFC 4180): fields quoted when needed, CRLF line ends, and cells that a
/// spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR) prefixed with `'`.
public enum OrderCSV {
    public static let header = ["number", "status", "created", "first_name", "last_name", "email", "address", "postal_code",
                                "city", "items", "total", "currency"]

    public static func document(_ orders: [Order]) -> String {
        var lines = [row(header)]
        for order in orders {
            let items = order.items.map { "\($0.quantity) x \($0.sku) \($0.name) @ \($0.unitPrice.decimalString)" }.joined(separator: "; ")
            let created = Date(timeIntervalSince1970: TimeInterval(order.createdAt)).formatted(.iso8601)
            lines.append(row([order.number, order.status.rawValue, created, order.customer.firstName, order.customer.lastName,
                              order.customer.email, order.customer.address, order.customer.postalCode, order.customer.city,
                              items, order.total.decimalString, order.currency]))
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
