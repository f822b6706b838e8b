import AgoraStore
import Foundation
import Testing

/// The order life of SPEC §6.3 and §6.9 on every backend: each change allowed only from its
/// statuses, recorded with its time, mail queued in the same transaction, units returned only
/// when the goods never left, and payment events processed once per id.
@Suite struct FulfilmentStoreTests {
    let catalog: @Sendable (String) -> CatalogItem? = { ["GT-1": sencha, "GT-2": gyokuro][$0] }

    private func placed(_ store: any ShopStore, quantity: Int = 2, owner: String = "f") async throws -> Order {
        _ = try await store.carts.add(sencha, quantity: quantity, replace: false, to: .session(owner))
        return try await store.orders.placeOrder(for: .session(owner), session: nil, customer: customer, currency: "EUR", catalog: catalog)
    }

    @Test(arguments: Backend.allCases) func anOrderGoesFromPaidToDeliveredWithItsHistory(_ backend: Backend) async throws {
        let clock = ManualClock(1_800_000_000)
        let store = try await backend.makeStore(clock: clock)
        let order = try await placed(store)
        #expect(order.history == [OrderEvent(status: .pending, at: 1_800_000_000, note: nil)])
        #expect(await failure { try await store.orders.apply(.ship(Shipment(carrier: nil, tracking: nil)), to: order.number, note: nil) }
            as? OrderAdminError == .wrongStatus(number: order.number, status: .pending, wanted: .shipped))

        clock.time += 60
        _ = try await store.orders.markPaid(order.number)
        clock.time += 3600
        let shipped = try await store.orders.apply(.ship(Shipment(carrier: " CTT ", tracking: "https://track.example/RR1PT")),
                                                   to: order.number, note: nil)
        #expect(shipped.status == .shipped)
        #expect(shipped.shipment == Shipment(carrier: "CTT", tracking: "https://track.example/RR1PT"))
        #expect(shipped.shipment?.trackingURL == "https://track.example/RR1PT")
        clock.time += 86_400
        let delivered = try await store.orders.apply(.deliver, to: order.number, note: nil)
        #expect(delivered.history.map(\.status) == [.pending, .paid, .shipped, .delivered])
        #expect(delivered.history.map(\.at) == [1_800_000_000, 1_800_000_060, 1_800_003_660, 1_800_090_060])
        #expect(await failure { try await store.orders.cancel(order.number) } as? OrderAdminError
            == .wrongStatus(number: order.number, status: .delivered, wanted: .cancelled))

        // The customer hears of payment and shipping, once each, in the change's transaction.
        let kinds = try await store.outbox.all().filter { $0.orderNumber == order.number }.map(\.kind)
        #expect(kinds.sorted() == ["order_created", "order_paid", "order_shipped"])

        // A refund after delivery is money back; the parcel is not back on the shelf.
        let refunded = try await store.orders.apply(.refund, to: order.number, note: "refunded by hand")
        #expect(refunded.status == .refunded && refunded.history.last?.note == "refunded by hand")
        #expect(try await store.carts.unitsSold() == ["GT-1": 2])
    }

    @Test(arguments: Backend.allCases) func aRefundBeforeShippingPutsTheUnitsBack(_ backend: Backend) async throws {
        let store = try await backend.makeStore()
        let order = try await placed(store, quantity: 3)
        #expect(try await store.carts.unitsSold() == ["GT-1": 3])
        _ = try await store.orders.markPaid(order.number)
        _ = try await store.orders.apply(.refund, to: order.number, note: nil)
        #expect(try await store.carts.unitsSold() == ["GT-1": 0])
        #expect(await failure { try await store.orders.apply(.refund, to: order.number, note: nil) } as? OrderAdminError
            == .wrongStatus(number: order.number, status: .refunded, wanted: .refunded))
    }

    @Test(arguments: Backend.allCases) func paymentEventsCountOnceHoweverOftenTheyArrive(_ backend: Backend) async throws {
        let store = try await backend.makeStore()
        let order = try await placed(store)
        try await store.orders.setPayment(order.number, reference: "pi_1", attempts: 1)
        #expect(try await store.orders.order(paymentReference: "pi_1")?.number == order.number)

        let failed = try await store.orders.record(.failed(reference: "pi_1", message: "Your card was declined."), eventID: "evt_1",
                                                   for: order.number)
        guard case .applied(let declined) = failed else { Issue.record("not applied: \(failed)"); return }
        #expect(declined.status == .pending && declined.payment.failure == "Your card was declined.")
        try await store.orders.setPayment(order.number, reference: "pi_2", attempts: 2)   // a new attempt clears it
        #expect(try await store.orders.order(number: order.number)?.payment == OrderPayment(reference: "pi_2", attempts: 2, failure: nil))

        // Ten deliveries of one event, all at once: paid once, one mail.
        let outcomes = try await withThrowingTaskGroup(of: PaymentEventOutcome.self) { group in
            for _ in 0..<10 {
                group.addTask { try await store.orders.record(.succeeded(reference: "pi_2"), eventID: "evt_2", for: order.number) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.filter { if case .applied = $0 { return true } else { return false } }.count == 1)
        #expect(outcomes.filter { $0 == .duplicate }.count == 9)
        let paid = try #require(try await store.orders.order(number: order.number))
        #expect(paid.status == .paid && paid.history.last?.note == "card payment pi_2")
        #expect(try await store.outbox.all().filter { $0.kind == "order_paid" }.count == 1)

        // Another success for an order already paid changes nothing, and is not tried again.
        #expect(try await store.orders.record(.succeeded(reference: "pi_2"), eventID: "evt_3", for: order.number)
            == .ignored(.wrongStatus(number: order.number, status: .paid, wanted: .paid)))
        #expect(try await store.orders.record(.succeeded(reference: "pi_2"), eventID: "evt_3", for: order.number) == .duplicate)
    }

    @Test(arguments: Backend.allCases) func pendingOrdersAreFoundByAge(_ backend: Backend) async throws {
        let clock = ManualClock(1_800_000_000)
        let store = try await backend.makeStore(clock: clock)
        let old = try await placed(store, owner: "a")
        clock.time += 3600
        let paid = try await placed(store, owner: "b")
        _ = try await store.orders.markPaid(paid.number)
        clock.time += 3600
        _ = try await placed(store, owner: "c")
        #expect(try await store.orders.pending(placedBefore: 1_800_000_000 + 7200, limit: 10) == [old.number])
    }
}
