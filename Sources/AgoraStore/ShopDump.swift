/// A shop's stored data, table by table, in a form neither backend owns: what `agora db copy`
/// reads from one store and writes into another (SPEC §11).
public struct ShopDump: Sendable {
    public enum Value: Sendable, Equatable {
        case null
        case integer(Int64)
        case text(String)
    }

    public struct Table: Sendable {
        public let name: String
        public let columns: [String]
        public let rows: [[Value]]

        public init(name: String, columns: [String], rows: [[Value]]) {
            self.name = name
            self.columns = columns
            self.rows = rows
        }
    }

    /// Every table a shop keeps, parents before the rows that refer to them.
    public static let tables = [
        "accounts", "sessions", "cart_lines", "orders", "order_items", "units_sold", "idempotency_keys", "counters",
        "login_failures", "actions", "outbox", "follows", "likes", "follow_counts", "published", "secrets",
        "order_events", "payment_events",
    ]

    public let tables: [Table]

    public init(tables: [Table]) {
        self.tables = tables
    }

    /// Rows per table, for the copy's report and its check.
    public var counts: [(table: String, rows: Int)] {
        tables.map { ($0.name, $0.rows.count) }
    }
}

/// A store that can hand over all its data.
public protocol DumpableStore: ShopStore {
    /// Every table of `ShopDump.tables`, read in one snapshot (the shop may keep running).
    func dump() async throws -> ShopDump
}

/// A store that can take a whole shop's data.
public protocol LoadableStore: ShopStore {
    /// Writes `dump` in one transaction, then checks each table's row count; refuses a store
    /// that already holds data.
    func load(_ dump: ShopDump) async throws
}
