import AgoraStore
import PostgresNIO

extension PostgresStore: LoadableStore {
    /// Columns SQLite keeps as 0/1 and PostgreSQL as booleans.
    static let booleanColumns: Set<String> = ["accounts.is_admin", "accounts.person_linked", "orders.tax_included"]
    /// Tables whose ids come from a sequence, which must continue after the copied rows.
    static let sequences = ["accounts", "orders", "actions", "outbox", "order_events"]

    public func load(_ dump: ShopDump) async throws {
        try await database.transaction(unbounded: true) { db in
            for table in ShopDump.tables {
                let rows = try await db.rows("SELECT 1 FROM \(unescaped: table) LIMIT 1")
                if !rows.isEmpty { throw PostgresStoreError.notEmpty("\(self.location) (table \(table))") }
            }
            for table in dump.tables where !table.rows.isEmpty {
                try await Self.insert(table, db)
            }
            for table in Self.sequences {
                try await db.rows("""
                    SELECT setval(pg_get_serial_sequence(\(table), 'id'), COALESCE((SELECT MAX(id) FROM \(unescaped: table)), 0) + 1, false)
                    """)
            }
            for table in dump.tables {
                let count = try await db.rows("SELECT COUNT(*) FROM \(unescaped: table.name)").first?.decode(Int.self) ?? 0
                guard count == table.rows.count else {
                    throw PostgresStoreError.countMismatch(table: table.name, expected: table.rows.count, found: count)
                }
            }
        }
    }

    /// Multi-row `INSERT`s of up to 500 rows, every value a bound parameter.
    private static func insert(_ table: ShopDump.Table, _ db: Transaction) async throws {
        let columns = table.columns.map { "\"\($0)\"" }.joined(separator: ", ")
        let booleans = table.columns.map { booleanColumns.contains("\(table.name).\($0)") }
        var start = 0
        while start < table.rows.count {
            let chunk = table.rows[start..<min(start + 500, table.rows.count)]
            var bindings = PostgresBindings(capacity: chunk.count * table.columns.count)
            var tuples: [String] = []
            for row in chunk {
                var placeholders: [String] = []
                for (index, value) in row.enumerated() {
                    switch value {
                    case .null: bindings.appendNull()
                    case .integer(let number) where booleans[index]: bindings.append(number != 0)
                    case .integer(let number): bindings.append(number)
                    case .text(let text): bindings.append(text)
                    }
                    placeholders.append("$\(bindings.count)")
                }
                tuples.append("(" + placeholders.joined(separator: ", ") + ")")
            }
            try await db.rows(PostgresQuery(unsafeSQL: "INSERT INTO \"\(table.name)\" (\(columns)) VALUES " + tuples.joined(separator: ", "),
                                            binds: bindings))
            start += chunk.count
        }
    }
}
