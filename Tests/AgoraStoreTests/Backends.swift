import AgoraContent
import AgoraPostgres
import AgoraStore
import AgoraSQLite
import AgoraTestSupport

import Foundation
import Testing

/// The store implementations every store test runs against: written once, generic over the
/// backend (SPEC §11). A new backend adds a case here and must pass them all.
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    /// A database of its own in the tests' throwaway cluster (`TestPostgres`).
    case postgres

    /// A fresh, empty store.
    func makeStore(clock: any StoreClock = SystemClock(), sessionRules: SessionRules = .standard) async throws -> any ShopStore {
        switch self {
        case .sqlite:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("agora-store-\(UUID().uuidString)")
            return try SQLiteStore(path: folder.appendingPathComponent("agora.sqlite").path, clock: clock, sessionRules: sessionRules)
        case .postgres:
            let url = try #require(PostgresURL(try TestPostgres.cluster().makeDatabase()))
            return try await PostgresStore(url: url, clock: clock, sessionRules: sessionRules)
        }
    }

    var testDescription: String { rawValue }
}

/// A fresh SQLite store, for the tests of what only SQLite has (WAL, query plans, group commit).
func temporarySQLiteStore(clock: any StoreClock = SystemClock()) throws -> SQLiteStore {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("agora-store-\(UUID().uuidString)")
    return try SQLiteStore(path: folder.appendingPathComponent("agora.sqlite").path, clock: clock)
}

let sencha = CatalogItem(sku: "GT-1", name: "Sencha", price: Money(minorUnits: 1250), stock: 40, available: true)
let gyokuro = CatalogItem(sku: "GT-2", name: "Gyokuro", price: Money(minorUnits: 3000), stock: 5, available: true)
let customer = Customer(firstName: "Ana", lastName: "Silva", email: "ana@example.com", address: "Rua 1", postalCode: "4000", city: "Porto")

final class ManualClock: StoreClock, @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int64

    init(_ start: Int64) {
        value = start
    }

    var time: Int64 {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }

    func now() -> Int64 { time }
}

/// The error a throwing async call ended with, or nil when it succeeded.
func failure<T>(_ call: () async throws -> T) async -> Error? {
    do {
        _ = try await call()
        return nil
    } catch {
        return error
    }
}
