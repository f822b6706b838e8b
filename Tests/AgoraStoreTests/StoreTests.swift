import AgoraContent
import Foundation
import GRDB
import Testing
@testable import AgoraStore

/// A fresh database file in a temporary folder.
func temporaryDatabase(clock: any StoreClock = SystemClock()) throws -> AgoraDatabase {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("agora-store-\(UUID().uuidString)")
    return try AgoraDatabase(path: folder.appendingPathComponent("agora.sqlite").path, clock: clock)
}

let sencha = CatalogItem(sku: "GT-1", name: "Sencha", price: Money(minorUnits: 1250), stock: 40, available: true)
let gyokuro = CatalogItem(sku: "GT-2", name: "Gyokuro", price: Money(minorUnits: 3000), stock: 5, available: true)
let customer = Customer(firstName: "Ana", lastName: "Silva", email: "ana@example.com", address: "Rua 1", postalCode: "4000", city: "Porto")

@Suite struct DatabaseTests {
    @Test func opensInWALModeAndMigratesOnce() throws {
        let database = try temporaryDatabase()
        #expect(try database.journalMode() == "wal")
        #expect(try database.isHealthy())
        let again = try AgoraDatabase(path: database.path)  // migrations are recorded, not re-run
        let applied = try again.pool.read { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") }
        #expect(applied.count == Set(applied).count)
        #expect(applied.first?.hasPrefix("v1:") == true)
        let synchronous = try database.pool.read { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(synchronous == 1)  // NORMAL
    }
}

@Suite struct SessionStoreTests {
    @Test func sessionsExpireAfterFourteenDaysAndRefreshOnUse() throws {
        let clock = ManualClock(1_800_000_000)
        let store = SessionStore(try temporaryDatabase(clock: clock))
        let (secret, session) = try store.create()
        #expect(session.idHash == Tokens.hash(secret))
        #expect(try store.find(secret: secret) == session)
        #expect(try store.refresh(session) == nil)  // fresh: nothing to do
        clock.time += 2 * 86_400
        let extended = try #require(try store.refresh(session))
        #expect(extended.expiresAt == clock.time + SessionStore.lifetime)
        clock.time += SessionStore.lifetime - 1
        #expect(try store.find(secret: secret) != nil)
        clock.time += 1
        #expect(try store.find(secret: secret) == nil)
        #expect(try store.find(secret: "guess") == nil)
        #expect(try store.purgeExpired() == 1)
    }

    @Test func secretsAreLongAndRandom() {
        let secrets = Set((0..<100).map { _ in Tokens.sessionSecret() })
        #expect(secrets.count == 100)
        #expect(secrets.allSatisfy { $0.count == 43 && !$0.contains("+") && !$0.contains("/") && !$0.contains("=") })
        #expect(Tokens.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}

@Suite struct CartStoreTests {
    @Test func addReplaceAndRemoveLines() throws {
        let carts = CartStore(try temporaryDatabase())
        let owner = CartOwner.session("abc")
        _ = try carts.add(sencha, quantity: 2, replace: false, to: owner)
        var cart = try carts.add(sencha, quantity: 3, replace: false, to: owner)
        #expect(cart.lines.map(\.quantity) == [5])
        cart = try carts.add(sencha, quantity: 1, replace: true, to: owner)
        #expect(cart.count == 1)
        cart = try carts.add(gyokuro, quantity: 2, replace: false, to: owner)
        #expect(cart.count == 3)
        #expect(cart.total == Money(minorUnits: 1250 + 6000))
        cart = try carts.remove(sku: "GT-1", from: owner)
        #expect(cart.lines.map(\.sku) == ["GT-2"])
        #expect(try carts.cart(.session("someone else")).isEmpty)
    }

    @Test func refusesBadQuantitiesUnavailableProductsAndMoreThanIsLeft() throws {
        let carts = CartStore(try temporaryDatabase())
        let owner = CartOwner.session("abc")
        #expect(throws: ShopError.invalidQuantity(0)) { try carts.add(sencha, quantity: 0, replace: false, to: owner) }
        #expect(throws: ShopError.invalidQuantity(21)) { try carts.add(sencha, quantity: 21, replace: false, to: owner) }
        let hidden = CatalogItem(sku: "X", name: "X", price: .zero, stock: 9, available: false)
        #expect(throws: ShopError.unknownProduct(sku: "X")) { try carts.add(hidden, quantity: 1, replace: false, to: owner) }
        _ = try carts.add(gyokuro, quantity: 4, replace: false, to: owner)
        #expect(throws: ShopError.outOfStock(sku: "GT-2", name: "Gyokuro", left: 5)) {
            try carts.add(gyokuro, quantity: 2, replace: false, to: owner)
        }
        #expect(try carts.add(gyokuro, quantity: 5, replace: true, to: owner).count == 5)
    }

    @Test func newUnitsAreNeverBoughtAtAnOldPrice() throws {
        let carts = CartStore(try temporaryDatabase())
        let owner = CartOwner.session("abc")
        _ = try carts.add(sencha, quantity: 1, replace: false, to: owner)
        let dearer = CatalogItem(sku: "GT-1", name: "Sencha", price: Money(minorUnits: 1400), stock: 40, available: true)
        // A line keeps its price until its quantity changes (SPEC §6.3)…
        #expect(try carts.cart(owner).lines.first?.unitPrice == Money(minorUnits: 1250))
        // …and then every unit is at the current price, the old one remembered for the cart page (§6.11).
        let cart = try carts.add(dearer, quantity: 10, replace: false, to: owner)
        #expect(cart.lines.first?.unitPrice == Money(minorUnits: 1400))
        #expect(cart.lines.first?.priceChangedFrom == Money(minorUnits: 1250))
        #expect(cart.total == Money(minorUnits: 11 * 1400))
        let cheaper = CatalogItem(sku: "GT-1", name: "Sencha", price: Money(minorUnits: 1000), stock: 40, available: true)
        let lowered = try carts.add(cheaper, quantity: 2, replace: true, to: owner)
        #expect(lowered.lines.first?.unitPrice == Money(minorUnits: 1000))
        #expect(lowered.lines.first?.priceChangedFrom == Money(minorUnits: 1400))
        #expect(lowered.total == Money(minorUnits: 2000))
    }
}

@Suite struct OrderStoreTests {
    let catalog: @Sendable (String) -> CatalogItem? = { ["GT-1": sencha, "GT-2": gyokuro][$0] }

    @Test func placingAnOrderMovesTheCartIntoItAndCountsUnitsSold() throws {
        let database = try temporaryDatabase()
        let carts = CartStore(database)
        let owner = CartOwner.session("abc")
        _ = try carts.add(sencha, quantity: 3, replace: false, to: owner)
        _ = try carts.add(gyokuro, quantity: 1, replace: false, to: owner)
        let session = Session(idHash: "abc", accountID: nil, expiresAt: .max)
        let order = try OrderStore(database).placeOrder(for: owner, session: session, customer: customer, currency: "EUR", catalog: catalog)
        #expect(order.total == Money(minorUnits: 3 * 1250 + 3000))
        #expect(order.items.map(\.sku) == ["GT-1", "GT-2"])
        #expect(order.sessionHash == "abc")
        #expect(order.number.wholeMatch(of: /[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}/) != nil)
        #expect(try carts.cart(owner).isEmpty)
        #expect(try database.unitsSold() == ["GT-1": 3, "GT-2": 1])
        #expect(try database.unitsLeft(gyokuro) == 4)
        #expect(try OrderStore(database).order(number: order.number) == order)
        #expect(throws: ShopError.emptyCart) {
            try OrderStore(database).placeOrder(for: owner, session: session, customer: customer, currency: "EUR", catalog: catalog)
        }
    }

    @Test func checkoutRefusesTheSixthBuyerOfFiveUnits() throws {
        let database = try temporaryDatabase()
        let carts = CartStore(database)
        let owners = (0..<6).map { CartOwner.session("shopper-\($0)") }
        for owner in owners { _ = try carts.add(gyokuro, quantity: 1, replace: false, to: owner) }
        let orders = OrderStore(database)
        let catalog = self.catalog
        let results = ParallelResults()
        DispatchQueue.concurrentPerform(iterations: owners.count) { index in
            do {
                _ = try orders.placeOrder(for: owners[index], session: nil, customer: customer, currency: "EUR", catalog: catalog)
                results.record(nil)
            } catch {
                results.record(error as? ShopError)
            }
        }
        #expect(results.successes == 5)
        #expect(results.failures == [ShopError.outOfStock(sku: "GT-2", name: "Gyokuro", left: 0)])
        #expect(try database.unitsSold() == ["GT-2": 5])
    }

    @Test func orderNumbersAreShortRandomAndForgiving() {
        let numbers = Set((0..<1000).map { _ in OrderNumber.random() })
        #expect(numbers.count == 1000)
        #expect(OrderNumber.normalize("k7qd93xm") == "K7QD-93XM")
        #expect(OrderNumber.normalize("K7QD-93XM") == "K7QD-93XM")
        #expect(OrderNumber.normalize("O1LI-0000") == "0111-0000")  // O reads as 0; I and L as 1
        #expect(OrderNumber.normalize("../etc/pass") == nil)
        #expect(OrderNumber.normalize("K7QD-93XMX") == nil)
    }
}

@Suite struct IdempotencyStoreTests {
    @Test func keysReplayRefuseMismatchesAndExpireWhenAbandoned() throws {
        let clock = ManualClock(1_800_000_000)
        let database = try temporaryDatabase(clock: clock)
        let store = IdempotencyStore(database)
        let key = IdempotencyStore.Key(scope: "session:a", value: "k1", requestHash: "h1")
        #expect(try store.begin(key) == .proceed)
        #expect(try store.begin(key) == .inProgress)
        clock.time += IdempotencyStore.abandonAfter
        #expect(try store.begin(key) == .proceed)  // the first request must have crashed
        try store.abandon(key)
        #expect(try store.begin(key) == .proceed)
        try database.pool.write { db in try IdempotencyStore.complete(key, orderNumber: "AAAA-BBBB", db) }
        #expect(try store.begin(key) == .replay(orderNumber: "AAAA-BBBB"))
        #expect(try store.begin(IdempotencyStore.Key(scope: "session:a", value: "k1", requestHash: "h2")) == .mismatch)
        #expect(try store.begin(IdempotencyStore.Key(scope: "session:b", value: "k1", requestHash: "h2")) == .proceed)
    }
}

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

final class ParallelResults: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var successes = 0
    private(set) var failures: [ShopError] = []

    func record(_ failure: ShopError?) {
        lock.withLock {
            if let failure { failures.append(failure) } else { successes += 1 }
        }
    }
}
