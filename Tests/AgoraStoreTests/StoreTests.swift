import AgoraContent
import AgoraStore
import Foundation
import Testing

@Suite struct SessionStoreTests {
    @Test(arguments: Backend.allCases) func sessionsExpireAfterFourteenDaysAndRefreshOnUse(_ backend: Backend) async throws {
        let clock = ManualClock(1_800_000_000)
        let store = try await backend.makeStore(clock: clock).sessions
        let (secret, session) = try await store.create(accountID: nil)
        #expect(session.idHash == Tokens.hash(secret))
        #expect(try await store.find(secret: secret) == session)
        #expect(try await store.refresh(session) == nil)  // fresh: nothing to do
        clock.time += 2 * 86_400
        let extended = try #require(try await store.refresh(session))
        #expect(extended.expiresAt == clock.time + 14 * 86_400)
        clock.time += 14 * 86_400 - 1
        #expect(try await store.find(secret: secret) != nil)
        clock.time += 1
        #expect(try await store.find(secret: secret) == nil)
        #expect(try await store.find(secret: "guess") == nil)
    }

    /// `--session-days 2`: sessions live two days from their last extension, which happens at
    /// most once a day.
    @Test(arguments: Backend.allCases) func theSessionLifetimeIsTheStoresRule(_ backend: Backend) async throws {
        let clock = ManualClock(1_800_000_000)
        let shop = try await backend.makeStore(clock: clock, sessionRules: SessionRules(days: 2))
        #expect(shop.sessionRules.lifetime == 2 * 86_400)
        let (secret, session) = try await shop.sessions.create(accountID: nil)
        #expect(session.expiresAt == clock.time + 2 * 86_400)
        clock.time += 86_400
        #expect(try await shop.sessions.refresh(session) == nil)
        clock.time += 1
        let extended = try #require(try await shop.sessions.refresh(session))
        #expect(extended.expiresAt == clock.time + 2 * 86_400)
        clock.time += 2 * 86_400
        #expect(try await shop.sessions.find(secret: secret) == nil)
    }

    /// What the server purges by itself (SPEC §6.1), counted first as `agora doctor` shows it:
    /// expired sessions, the anonymous carts only they reached, keys older than a day. Live
    /// sessions, account carts and fresh keys stay.
    @Test(arguments: Backend.allCases) func housekeepingPurgesExactlyWhatExpired(_ backend: Backend) async throws {
        let clock = ManualClock(1_800_000_000)
        let shop = try await backend.makeStore(clock: clock, sessionRules: SessionRules(days: 1))
        let account = try await shop.accountRules.create(username: "ana", email: "ana@example.com", name: "Ana", password: "ana password")
        let (_, anonymous) = try await shop.sessions.create(accountID: nil)
        _ = try await shop.carts.add(sencha, quantity: 2, replace: false, to: anonymous.cartOwner)
        _ = try await shop.carts.add(gyokuro, quantity: 1, replace: false, to: anonymous.cartOwner)
        let (_, loggedIn) = try await shop.sessions.create(accountID: account.id)
        _ = try await shop.carts.add(sencha, quantity: 1, replace: false, to: loggedIn.cartOwner)
        let oldKey = IdempotencyKey(scope: "session:\(anonymous.idHash)", value: "k1", requestHash: "h1")
        #expect(try await shop.idempotency.begin(oldKey) == .proceed)
        #expect(try await shop.housekeeping.due() == ExpiredRows())

        clock.time += 86_400  // a day later: both sessions expire, the key is a day old
        let (_, live) = try await shop.sessions.create(accountID: nil)
        _ = try await shop.carts.add(gyokuro, quantity: 1, replace: false, to: live.cartOwner)
        let freshKey = IdempotencyKey(scope: "session:\(live.idHash)", value: "k2", requestHash: "h2")
        #expect(try await shop.idempotency.begin(freshKey) == .proceed)

        let due = ExpiredRows(sessions: 2, cartLines: 2, idempotencyKeys: 1)
        #expect(try await shop.housekeeping.due() == due)
        #expect(due.description == "2 sessions, 2 cart lines, 1 idempotency key")
        #expect(try await shop.housekeeping.purge() == due)
        #expect(try await shop.housekeeping.due() == ExpiredRows())
        #expect(try await shop.housekeeping.purge() == ExpiredRows())

        #expect(try await shop.sessions.count() == 1)
        #expect(try await shop.carts.cart(live.cartOwner).count == 1)
        #expect(try await shop.carts.cart(anonymous.cartOwner).isEmpty)
        #expect(try await shop.carts.cart(.account(account.id)).count == 1)  // the account keeps its cart
        #expect(try await shop.idempotency.begin(oldKey) == .proceed)  // the day-old key is free again
        #expect(try await shop.idempotency.begin(freshKey) == .inProgress)
    }

    @Test func secretsAreLongAndRandom() {
        let secrets = Set((0..<100).map { _ in Tokens.sessionSecret() })
        #expect(secrets.count == 100)
        #expect(secrets.allSatisfy { $0.count == 43 && !$0.contains("+") && !$0.contains("/") && !$0.contains("=") })
        #expect(Tokens.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test(arguments: Backend.allCases) func loginRotatesTheSessionAndMergesTheCartAtCurrentPrices(_ backend: Backend) async throws {
        let store = try await backend.makeStore()
        let account = try await store.accountRules.create(username: "bob", email: "bob@example.com", name: "Bob", password: "correct horse")
        let (_, anonymous) = try await store.sessions.create(accountID: nil)
        _ = try await store.carts.add(sencha, quantity: 2, replace: false, to: anonymous.cartOwner)
        _ = try await store.carts.add(gyokuro, quantity: 4, replace: false, to: .account(account.id))
        _ = try await store.carts.add(gyokuro, quantity: 3, replace: false, to: anonymous.cartOwner)
        let dearer = CatalogItem(sku: "GT-1", name: "Sencha", price: Money(minorUnits: 1400), stock: 40, available: true)
        let (secret, session) = try await store.sessions.logIn(account, replacing: anonymous) { ["GT-1": dearer, "GT-2": gyokuro][$0] }
        #expect(session.accountID == account.id)
        #expect(try await store.sessions.find(secret: secret) == session)
        #expect(try await store.sessions.find(secret: secret)?.account == account)  // read with the session
        let cart = try await store.carts.cart(.account(account.id))
        #expect(cart.lines.first { $0.sku == "GT-2" }?.quantity == 5)  // 4 + 3 capped by the 5 units left
        #expect(cart.lines.first { $0.sku == "GT-1" }?.quantity == 2)
        #expect(cart.lines.first { $0.sku == "GT-1" }?.unitPrice == Money(minorUnits: 1400))
        #expect(try await store.carts.cart(anonymous.cartOwner).isEmpty)
        #expect(try await store.sessions.count() == 1)  // the anonymous session is gone
    }

    /// Sessions found a moment ago may be cached (SQLite keeps them a few seconds): logout,
    /// login rotation and account changes must still be seen at once, with no time passing.
    @Test(arguments: Backend.allCases) func logoutRotationAndAccountChangesAreSeenAtOnce(_ backend: Backend) async throws {
        let clock = ManualClock(1_800_000_000)
        let store = try await backend.makeStore(clock: clock)
        let account = try await store.accountRules.create(username: "bob", email: "bob@example.com", name: "Bob", password: "correct horse")
        let (anonymousSecret, anonymous) = try await store.sessions.create(accountID: nil)
        #expect(try await store.sessions.find(secret: anonymousSecret) == anonymous)
        let (secret, session) = try await store.sessions.logIn(account, replacing: anonymous) { _ in nil }
        #expect(try await store.sessions.find(secret: anonymousSecret) == nil)

        #expect(try await store.sessions.find(secret: secret)?.account?.isAdmin == false)
        try await store.accounts.setAdmin("bob", true)
        #expect(try await store.sessions.find(secret: secret)?.account?.isAdmin == true)
        #expect(try await store.sessions.find(secret: secret)?.account?.isLinkedToProfile == false)
        try await store.accounts.setLinkedToProfile("bob", true)
        #expect(try await store.sessions.find(secret: secret)?.account?.isLinkedToProfile == true)

        clock.time += 2 * 86_400
        let extended = try #require(try await store.sessions.refresh(session))
        #expect(try await store.sessions.find(secret: secret)?.expiresAt == extended.expiresAt)
        try await store.sessions.delete(extended)
        #expect(try await store.sessions.find(secret: secret) == nil)
    }
}

@Suite struct CartStoreTests {
    @Test(arguments: Backend.allCases) func addReplaceAndRemoveLines(_ backend: Backend) async throws {
        let carts = try await backend.makeStore().carts
        let owner = CartOwner.session("abc")
        _ = try await carts.add(sencha, quantity: 2, replace: false, to: owner)
        var cart = try await carts.add(sencha, quantity: 3, replace: false, to: owner)
        #expect(cart.lines.map(\.quantity) == [5])
        cart = try await carts.add(sencha, quantity: 1, replace: true, to: owner)
        #expect(cart.count == 1)
        cart = try await carts.add(gyokuro, quantity: 2, replace: false, to: owner)
        #expect(cart.count == 3)
        #expect(cart.total == Money(minorUnits: 1250 + 6000))
        cart = try await carts.remove(sku: "GT-1", from: owner)
        #expect(cart.lines.map(\.sku) == ["GT-2"])
        #expect(try await carts.cart(.session("someone else")).isEmpty)
    }

    @Test(arguments: Backend.allCases) func refusesBadQuantitiesUnavailableProductsAndMoreThanIsLeft(_ backend: Backend) async throws {
        let carts = try await backend.makeStore().carts
        let owner = CartOwner.session("abc")
        #expect(await failure { try await carts.add(sencha, quantity: 0, replace: false, to: owner) } as? ShopError == .invalidQuantity(0))
        #expect(await failure { try await carts.add(sencha, quantity: 21, replace: false, to: owner) } as? ShopError == .invalidQuantity(21))
        let hidden = CatalogItem(sku: "X", name: "X", price: .zero, stock: 9, available: false)
        #expect(await failure { try await carts.add(hidden, quantity: 1, replace: false, to: owner) } as? ShopError
            == .unknownProduct(sku: "X"))
        _ = try await carts.add(gyokuro, quantity: 4, replace: false, to: owner)
        #expect(await failure { try await carts.add(gyokuro, quantity: 2, replace: false, to: owner) } as? ShopError
            == .outOfStock(sku: "GT-2", name: "Gyokuro", left: 5))
        #expect(try await carts.add(gyokuro, quantity: 5, replace: true, to: owner).count == 5)
    }

    @Test(arguments: Backend.allCases) func newUnitsAreNeverBoughtAtAnOldPrice(_ backend: Backend) async throws {
        let carts = try await backend.makeStore().carts
        let owner = CartOwner.session("abc")
        _ = try await carts.add(sencha, quantity: 1, replace: false, to: owner)
        let dearer = CatalogItem(sku: "GT-1", name: "Sencha", price: Money(minorUnits: 1400), stock: 40, available: true)
        // A line keeps its price until its quantity changes (SPEC §6.3)…
        #expect(try await carts.cart(owner).lines.first?.unitPrice == Money(minorUnits: 1250))
        // …and then every unit is at the current price, the old one remembered for the cart page (§6.11).
        let cart = try await carts.add(dearer, quantity: 10, replace: false, to: owner)
        #expect(cart.lines.first?.unitPrice == Money(minorUnits: 1400))
        #expect(cart.lines.first?.priceChangedFrom == Money(minorUnits: 1250))
        #expect(cart.total == Money(minorUnits: 11 * 1400))
        let cheaper = CatalogItem(sku: "GT-1", name: "Sencha", price: Money(minorUnits: 1000), stock: 40, available: true)
        let lowered = try await carts.add(cheaper, quantity: 2, replace: true, to: owner)
        #expect(lowered.lines.first?.unitPrice == Money(minorUnits: 1000))
        #expect(lowered.lines.first?.priceChangedFrom == Money(minorUnits: 1400))
        #expect(lowered.total == Money(minorUnits: 2000))
    }

    @Test(arguments: Backend.allCases) func concurrentWritesAreEachAnsweredWithTheirOwnOutcome(_ backend: Backend) async throws {
        let carts = try await backend.makeStore().carts
        // Forty shoppers add one unit of the five there are, each to their own cart: all may
        // hold one (stock is checked against orders, not carts); the twenty who ask for 9 are refused.
        let outcomes = await withTaskGroup(of: (Int, Error?).self) { group in
            for index in 0..<60 {
                group.addTask {
                    let quantity = index < 40 ? 1 : 9
                    return (index, await failure { try await carts.add(gyokuro, quantity: quantity, replace: false, to: .session("s\(index)")) })
                }
            }
            return await group.reduce(into: [Int: Error?]()) { $0[$1.0] = $1.1 }
        }
        for index in 0..<60 {
            let cart = try await carts.cart(.session("s\(index)"))
            let outcome = outcomes[index] ?? nil
            if index < 40 {
                #expect(outcome == nil)
                #expect(cart.count == 1)
            } else {
                #expect(outcome as? ShopError == .outOfStock(sku: "GT-2", name: "Gyokuro", left: 5))
                #expect(cart.isEmpty)
            }
        }
    }
}

@Suite struct OrderStoreTests {
    let catalog: @Sendable (String) -> CatalogItem? = { ["GT-1": sencha, "GT-2": gyokuro][$0] }

    @Test(arguments: Backend.allCases) func placingAnOrderMovesTheCartIntoItAndCountsUnitsSold(_ backend: Backend) async throws {
        let store = try await backend.makeStore()
        let owner = CartOwner.session("abc")
        _ = try await store.carts.add(sencha, quantity: 3, replace: false, to: owner)
        _ = try await store.carts.add(gyokuro, quantity: 1, replace: false, to: owner)
        let session = Session(idHash: "abc", accountID: nil, expiresAt: .max)
        let order = try await store.orders.placeOrder(for: owner, session: session, customer: customer, currency: "EUR", catalog: catalog)
        #expect(order.total == Money(minorUnits: 3 * 1250 + 3000))
        #expect(order.items.map(\.sku) == ["GT-1", "GT-2"])
        #expect(order.sessionHash == "abc")
        #expect(order.number.wholeMatch(of: /[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}/) != nil)
        #expect(try await store.carts.cart(owner).isEmpty)
        #expect(try await store.carts.unitsSold() == ["GT-1": 3, "GT-2": 1])
        #expect(try await store.carts.unitsLeft(gyokuro) == 4)
        #expect(try await store.orders.order(number: order.number) == order)
        #expect(try await store.outbox.due().map(\.orderNumber) == [order.number])
        let again = await failure {
            try await store.orders.placeOrder(for: owner, session: session, customer: customer, currency: "EUR", catalog: catalog)
        }
        #expect(again as? ShopError == .emptyCart)
    }

    @Test(arguments: Backend.allCases) func checkoutRefusesTheSixthBuyerOfFiveUnits(_ backend: Backend) async throws {
        let store = try await backend.makeStore()
        let owners = (0..<6).map { CartOwner.session("shopper-\($0)") }
        for owner in owners { _ = try await store.carts.add(gyokuro, quantity: 1, replace: false, to: owner) }
        let orders = store.orders
        let catalog = self.catalog
        let failures = await withTaskGroup(of: Error?.self) { group in
            for owner in owners {
                group.addTask {
                    await failure { try await orders.placeOrder(for: owner, session: nil, customer: customer, currency: "EUR", catalog: catalog) }
                }
            }
            return await group.reduce(into: [Error?]()) { $0.append($1) }
        }
        #expect(failures.filter { $0 == nil }.count == 5)
        #expect(failures.compactMap { $0 as? ShopError } == [.outOfStock(sku: "GT-2", name: "Gyokuro", left: 0)])
        #expect(try await store.carts.unitsSold() == ["GT-2": 5])
    }

    @Test(arguments: Backend.allCases) func ordersComeNewestFirstWithTheirOwnItems(_ backend: Backend) async throws {
        let clock = ManualClock(1_800_000_000)
        let store = try await backend.makeStore(clock: clock)
        let owner = CartOwner.account(7)
        let session = Session(idHash: "abc", accountID: 7, expiresAt: .max)
        var placed: [Order] = []
        for quantity in 1...3 {
            _ = try await store.carts.add(sencha, quantity: quantity, replace: false, to: owner)
            if quantity == 2 { _ = try await store.carts.add(gyokuro, quantity: 1, replace: false, to: owner) }
            placed.append(try await store.orders.placeOrder(for: owner, session: session, customer: customer, currency: "EUR", catalog: catalog))
            clock.time += 60
        }
        let newestFirst = Array(placed.reversed())
        #expect(try await store.orders.orders(accountID: 7) == newestFirst)
        #expect(try await store.orders.orders(accountID: 7)[1].items.map(\.sku) == ["GT-1", "GT-2"])
        #expect(try await store.orders.list(OrderFilter(), page: 1, perPage: 2).orders == Array(newestFirst.prefix(2)))
        #expect(try await store.orders.list(OrderFilter(), page: 2, perPage: 2).orders == [placed[0]])
        #expect(try await store.orders.orders(accountID: 8).isEmpty)
    }

    @Test(arguments: Backend.allCases) func theOwnerListsMarksPaidAndCancels(_ backend: Backend) async throws {
        let store = try await backend.makeStore()
        var numbers: [String] = []
        for index in 0..<3 {
            let owner = CartOwner.session("o\(index)")
            _ = try await store.carts.add(sencha, quantity: 1, replace: false, to: owner)
            numbers.append(try await store.orders.placeOrder(for: owner, session: nil, customer: customer, currency: "EUR", catalog: catalog).number)
        }
        #expect(try await store.orders.markPaid(numbers[0]).status == .paid)
        #expect(await failure { try await store.orders.markPaid(numbers[0]) } as? OrderAdminError
            == .wrongStatus(number: numbers[0], status: .paid, wanted: .paid))
        #expect(try await store.orders.cancel(numbers[1]).status == .cancelled)
        #expect(try await store.carts.unitsSold() == ["GT-1": 2])
        #expect(try await store.orders.list(OrderFilter(status: .pending), page: 1, perPage: 10).total == 1)
        #expect(try await store.orders.list(OrderFilter(), page: 1, perPage: 2).orders.count == 2)
        #expect(try await store.orders.list(OrderFilter(), page: Int.max, perPage: 25).orders.isEmpty)  // never overflows
        #expect(await failure { try await store.orders.cancel("ZZZZ-ZZZZ") } as? OrderAdminError == .unknownOrder("ZZZZ-ZZZZ"))
    }

    /// A cart that holds products the shop stopped selling names all of them and places nothing.
    @Test(arguments: Backend.allCases) func checkoutNamesEveryLineNoLongerForSale(_ backend: Backend) async throws {
        let store = try await backend.makeStore()
        let owner = CartOwner.session("stale")
        _ = try await store.carts.add(sencha, quantity: 1, replace: false, to: owner)
        _ = try await store.carts.add(gyokuro, quantity: 2, replace: false, to: owner)
        let withdrawn = CatalogItem(sku: "GT-1", name: "Sencha", price: sencha.price, stock: 40, available: false)
        let shrunk: @Sendable (String) -> CatalogItem? = { ["GT-1": withdrawn][$0] }  // GT-2 is gone from the catalog
        let refusal = await failure {
            try await store.orders.placeOrder(for: owner, session: nil, customer: customer, currency: "EUR", catalog: shrunk)
        }
        #expect(refusal as? ShopError == .noLongerForSale([StaleLine(sku: "GT-1", name: "Sencha"), StaleLine(sku: "GT-2", name: "Gyokuro")]))
        #expect(try await store.orders.count() == 0)
        #expect(try await store.carts.cart(owner).count == 3)
        #expect(try await store.carts.unitsSold().isEmpty)
    }

    /// The admin's search (number, name or email, any case, `%` and `_` literal) and the
    /// "updated" filter, which follows the last change, not the creation.
    @Test(arguments: Backend.allCases) func theOwnerSearchesOrdersAndFiltersByLastChange(_ backend: Backend) async throws {
        let clock = ManualClock(1_800_000_000)  // 2027-01-15
        let store = try await backend.makeStore(clock: clock)
        let people = [("Ana", "Silva", "ana@example.com"), ("Bruno", "Costa", "bruno_c@example.com"), ("Carla", "Anaya", "c100%@example.com")]
        var numbers: [String] = []
        for (index, person) in people.enumerated() {
            let owner = CartOwner.session("s\(index)")
            _ = try await store.carts.add(sencha, quantity: 1, replace: false, to: owner)
            let buyer = Customer(firstName: person.0, lastName: person.1, email: person.2, address: "Rua 1", postalCode: "4000", city: "Porto")
            numbers.append(try await store.orders.placeOrder(for: owner, session: nil, customer: buyer, currency: "EUR", catalog: catalog).number)
        }
        func found(_ search: String) async throws -> Set<String> {
            Set(try await store.orders.list(OrderFilter(search: search), page: 1, perPage: 10).orders.map(\.number))
        }
        #expect(try await found(numbers[1]) == [numbers[1]])
        #expect(try await found(numbers[1].lowercased()) == [numbers[1]])
        #expect(try await found("ana") == [numbers[0], numbers[2]])          // Ana Silva; Carla Anaya
        #expect(try await found("ANA SILVA") == [numbers[0]])
        #expect(try await found("bruno_c@") == [numbers[1]])
        #expect(try await found("_") == [numbers[1]])                        // a literal underscore, not "any character"
        #expect(try await found("100%") == [numbers[2]])
        #expect(try await found("nobody") == [])
        #expect(try await store.orders.list(OrderFilter(status: .pending, search: "example.com"), page: 1, perPage: 10).total == 3)

        clock.time += 3 * 86_400  // 2027-01-18
        _ = try await store.orders.markPaid(numbers[2])
        let changedOn18th = try await store.orders.list(OrderFilter(updatedFrom: "2027-01-18", updatedTo: "2027-01-18"), page: 1, perPage: 10)
        #expect(changedOn18th.orders.map(\.number) == [numbers[2]])
        #expect(try await store.orders.list(OrderFilter(updatedTo: "2027-01-17"), page: 1, perPage: 10).total == 2)
        #expect(try await store.orders.list(OrderFilter(from: "2027-01-18"), page: 1, perPage: 10).total == 0)  // created earlier
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
    @Test(arguments: Backend.allCases) func keysReplayRefuseMismatchesAndExpireWhenAbandoned(_ backend: Backend) async throws {
        let clock = ManualClock(1_800_000_000)
        let shop = try await backend.makeStore(clock: clock)
        let store = shop.idempotency
        let key = IdempotencyKey(scope: "session:a", value: "k1", requestHash: "h1")
        #expect(try await store.begin(key) == .proceed)
        #expect(try await store.begin(key) == .inProgress)
        clock.time += IdempotencyRules.abandonAfter
        #expect(try await store.begin(key) == .proceed)  // the first request must have crashed
        try await store.abandon(key)
        #expect(try await store.begin(key) == .proceed)
        // Completing the key is part of the order's own transaction.
        _ = try await shop.carts.add(sencha, quantity: 1, replace: false, to: .session("a"))
        let order = try await shop.orders.placeOrder(for: .session("a"), session: nil, customer: customer, currency: "EUR",
                                                     catalog: { _ in sencha }, pricing: .none, idempotency: key)
        #expect(try await store.begin(key) == .replay(orderNumber: order.number))
        #expect(try await store.begin(IdempotencyKey(scope: "session:a", value: "k1", requestHash: "h2")) == .mismatch)
        #expect(try await store.begin(IdempotencyKey(scope: "session:b", value: "k1", requestHash: "h2")) == .proceed)
    }
}

@Suite struct SecretTests {
    /// One secret per name, made once and then always the same, also for another store on the
    /// same database (several servers sign order links alike).
    @Test(arguments: Backend.allCases) func aSecretIsMadeOnceAndKept(_ backend: Backend) async throws {
        let store = try await backend.makeStore()
        let first = try await store.secret(named: "order-links")
        #expect(first.count >= 40)
        #expect(try await store.secret(named: "order-links") == first)
        #expect(try await store.secret(named: "other") != first)
        let links = OrderLinks(secret: first)
        #expect(links.verify(links.token(for: "K7QD-93XM"), for: "K7QD-93XM"))
        #expect(!links.verify(links.token(for: "K7QD-93XM"), for: "K7QD-93XN"))
        #expect(!OrderLinks(secret: "another shop").verify(links.token(for: "K7QD-93XM"), for: "K7QD-93XM"))
    }
}
