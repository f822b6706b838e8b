import AgoraPayments
import AgoraStore

/// The shop's side of card payments (SPEC §6.9): opens a payment when an order is placed, takes
/// the browser's card token for it, believes only verified webhooks, refunds, and releases orders
/// left unpaid. The provider is only ever asked for the order's own amount.
struct PaymentDesk: Sendable {
    let provider: any PaymentProvider
    let orders: any OrderStore
    let log: LogSink

    /// A payment for a freshly placed order. The order stands if the provider cannot be reached:
    /// its page opens the payment when the customer gets there.
    func open(_ order: Order) async {
        do {
            _ = try await newAttempt(order)
        } catch {
            log.write("order \(order.number): the payment could not be opened yet: \(error)")
        }
    }

    /// The payment the order page offers: the current one while a card can still be given to it,
    /// else a new attempt (after a declined card, say).
    func current(_ order: Order) async throws -> ProviderPayment {
        if let reference = order.payment.reference {
            let payment = try await provider.payment(reference)
            if payment.acceptsCard || payment.status == .requiresAction || payment.status == .processing
                || payment.status == .succeeded { return payment }
        }
        return try await newAttempt(order)
    }

    /// Pays a pending order with the card behind `token`; a declined card throws
    /// `PaymentError.declined` and leaves the order pending for another try.
    func pay(_ order: Order, token: String) async throws -> ProviderPayment {
        var payment = try await current(order)
        if !payment.acceptsCard { payment = try await newAttempt(order) }
        return try await provider.pay(payment.reference, token: token)
    }

    enum WebhookOutcome: Equatable {
        case applied, duplicate, ignored
    }

    /// A webhook delivery: nothing is believed before the signature is; a payment whose amount or
    /// currency is not the order's is refused (and logged), whatever the signature.
    func receive(payload: [UInt8], signature: String?, now: Int64) async throws -> WebhookOutcome {
        let event = try provider.verifiedEvent(payload: payload, signature: signature, now: now)
        let change: PaymentEvent
        guard let reference = event.reference else { return .ignored }
        switch event.kind {
        case .paymentSucceeded: change = .succeeded(reference: reference)
        case .paymentFailed(let message): change = .failed(reference: reference, message: message)
        case .refunded: change = .refunded(reference: reference)
        case .other: return .ignored
        }
        let found: Order?
        if let number = event.orderNumber {
            found = try await orders.order(number: number)
        } else {
            found = try await orders.order(paymentReference: reference)
        }
        guard let order = found else {
            log.write("payments: event \(event.id) is about no order of this shop (\(reference)); ignored")
            return .ignored
        }
        if case .succeeded = change {
            guard event.amount == order.total.minorUnits, event.currency?.lowercased() == order.currency.lowercased() else {
                log.write("payments: event \(event.id) pays \(event.amount.map(String.init) ?? "?") \(event.currency ?? "?") "
                    + "for order \(order.number), which costs \(order.total.minorUnits) \(order.currency); refused")
                throw WebhookRefusal.amountMismatch
            }
        }
        switch try await orders.record(change, eventID: event.id, for: order.number) {
        case .applied: return .applied
        case .duplicate: return .duplicate
        case .ignored(let reason):
            log.write("payments: event \(event.id) for order \(order.number) changes nothing: \(reason)")
            return .ignored
        }
    }

    enum WebhookRefusal: Error {
        case amountMismatch
    }

    /// Returns the money and marks the order refunded once the provider confirms; a refund the
    /// provider is still working on is marked when its `charge.refunded` event arrives.
    func refund(_ order: Order) async throws -> Order? {
        guard let reference = order.payment.reference else {
            return try await orders.apply(.refund, to: order.number, note: "refunded outside the payment provider")
        }
        guard try await provider.refund(reference) else { return nil }
        return try await orders.apply(.refund, to: order.number, note: "refund of \(reference)")
    }

    /// Cancels pending orders placed more than `hours` ago and gives their units back.
    func releaseUnpaid(olderThan hours: Int, now: Int64) async throws -> Int {
        var released = 0
        for number in try await orders.pending(placedBefore: now - Int64(hours) * 3600, limit: 100) {
            guard let order = try await orders.order(number: number) else { continue }
            if let reference = order.payment.reference {
                // A payment still open at the provider must not be paid after its order is gone.
                do { try await provider.cancel(reference) } catch {
                    log.write("order \(number): its payment \(reference) could not be cancelled (\(error)); kept pending")
                    continue
                }
            }
            do {
                _ = try await orders.apply(.cancel, to: number, note: "not paid within \(hours) hours")
                released += 1
            } catch let error as OrderAdminError {
                log.write("order \(number): not released: \(error)")  // paid meanwhile
            }
        }
        return released
    }

    private func newAttempt(_ order: Order) async throws -> ProviderPayment {
        let attempt = order.payment.attempts + 1
        let payment = try await provider.createPayment(for: order, attempt: attempt)
        try await orders.setPayment(order.number, reference: payment.reference, attempts: attempt)
        return payment
    }
}
