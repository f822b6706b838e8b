import AgoraPostgres
import AgoraStore
import AgoraTestSupport
import Foundation
import Testing

/// What only the PostgreSQL backend has: migrations shared by servers starting together, and
/// mail claimed by one server at a time.
@Suite struct PostgresTests {
    @Test func serversStartingTogetherMigrateOnce() async throws {
        let url = try #require(PostgresURL(try TestPostgres.cluster().makeDatabase()))
        let stores = try await withThrowingTaskGroup(of: PostgresStore.self) { group in
            for _ in 0..<3 { group.addTask { try await PostgresStore(url: url) } }
            return try await group.reduce(into: [PostgresStore]()) { $0.append($1) }
        }
        #expect(stores.count == 3)
        for store in stores { #expect(await store.isHealthy()) }
        // All three see one schema: an account made through one is found through the others.
        _ = try await stores[0].accountRules.create(username: "ana", email: "ana@example.com", name: "Ana", password: "correct horse")
        for store in stores { #expect(try await store.accounts.account(username: "ANA")?.name == "Ana") }
        for store in stores { await store.close() }
    }

    @Test func mailIsClaimedByOneWorkerUntilItsLeaseEnds() async throws {
        let clock = ManualClock(1_800_000_000)
        let url = try #require(PostgresURL(try TestPostgres.cluster().makeDatabase()))
        let store = try await PostgresStore(url: url, clock: clock)
        let other = try await PostgresStore(url: url, clock: clock)
        for index in 0..<6 {
            let owner = CartOwner.session("shopper-\(index)")
            _ = try await store.carts.add(sencha, quantity: 1, replace: false, to: owner)
            _ = try await store.orders.placeOrder(for: owner, session: nil, customer: customer, currency: "EUR") { ["GT-1": sencha][$0] }
        }
        async let mine = store.outbox.due(limit: 4)
        async let theirs = other.outbox.due(limit: 4)
        let (first, second) = try await (mine, theirs)
        #expect(first.count + second.count == 6)
        #expect(Set(first.map(\.id)).isDisjoint(with: second.map(\.id)))
        #expect(try await store.outbox.due().isEmpty)  // all claimed

        // The server that claimed the first batch dies without a word: after the lease, another sends it.
        try await other.outbox.markSent(try #require(second.first).id)
        clock.time += 121
        let reclaimed = try await other.outbox.due()
        #expect(Set(reclaimed.map(\.id)) == Set(first.map(\.id) + second.dropFirst().map(\.id)))
        await store.close()
        await other.close()
    }

    @Test func urlsNameHostsSocketsAndDatabases() throws {
        let tcp = try #require(PostgresURL("postgres://agora:s%40cret@db.example.com:6543/shop"))
        #expect(tcp.host == "db.example.com")
        #expect(tcp.port == 6543)
        #expect(tcp.user == "agora")
        #expect(tcp.password == "s@cret")
        #expect(tcp.database == "shop")
        #expect(!tcp.redacted.contains("cret"))
        let socket = try #require(PostgresURL("postgresql:///shop?host=/run/postgresql&user=agora"))
        #expect(socket.socketFolder == "/run/postgresql")
        #expect(socket.database == "shop")
        #expect(PostgresURL("data/agora.sqlite") == nil)
        #expect(PostgresURL("mysql://x/y") == nil)
    }
}
