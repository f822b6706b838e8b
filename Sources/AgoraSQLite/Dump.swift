import AgoraStore
import GRDB

extension SQLiteStore: DumpableStore {
    public func dump() async throws -> ShopDump {
        try await database.snapshot { db in
            try ShopDump(tables: ShopDump.tables.map { name in
                let columns = try db.columns(in: name).map(\.name)
                let list = columns.map { "\"\($0)\"" }.joined(separator: ", ")
                let rows = try Row.fetchAll(db, sql: "SELECT \(list) FROM \"\(name)\"").map { row in
                    columns.indices.map { index -> ShopDump.Value in
                        switch row[index] as DatabaseValue? {
                        case .none: return .null
                        case .some(let value):
                            switch value.storage {
                            case .null: return .null
                            case .int64(let integer): return .integer(integer)
                            case .string(let text): return .text(text)
                            case .double(let number): return .integer(Int64(number))
                            case .blob(let data): return .text(String(decoding: data, as: UTF8.self))
                            }
                        }
                    }
                }
                return ShopDump.Table(name: name, columns: columns, rows: rows)
            })
        }
    }
}
