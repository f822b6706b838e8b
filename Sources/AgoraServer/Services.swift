import AgoraStore
import Foundation
import ServiceLifecycle
import UnixSignals

/// Runs an action on each delivery of a Unix signal (SIGHUP: reload), as a service of the
/// server's group, outside signal-handler context; it ends when the group stops.
public struct SignalAction: Service {
    let signal: UnixSignal
    let action: @Sendable () async -> Void

    public init(_ signal: UnixSignal, action: @escaping @Sendable () async -> Void) {
        self.signal = signal
        self.action = action
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            for await _ in await UnixSignalsSequence(trapping: self.signal) {
                await self.action()
            }
        }
    }
}

/// Stops the server when the process that started it goes away, so a test's server never
/// outlives the test (`--stop-with-parent`). The parent is noted when the watch is made, at the
/// very start, before it could have gone.
public struct ParentWatch: Service {
    let parent = getppid()

    public init() {}

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while getppid() == parent {
                do {
                    try await Task.sleep(for: .milliseconds(500))
                } catch {
                    return  // the group is stopping anyway
                }
            }
            // Nobody is left to answer: stop at once, as the test that started us is gone.
            exit(0)
        }
    }
}

/// Purges expired sessions, the anonymous carts only they reached and day-old idempotency keys
/// (SPEC §6.1): once when the server starts, then every `interval`. A failed round is logged and
/// tried again next time; the shop does not depend on it.
struct Housekeeper: Service {
    let store: any ShopStore
    let interval: Duration
    let log: LogSink

    func run() async throws {
        await repeatUntilShutdown(every: interval) {
            do {
                let purged = try await store.housekeeping.purge()
                if purged.total > 0 { log.write("housekeeping: purged \(purged)") }
            } catch {
                log.write("housekeeping: purge failed, will retry: \(error)")
            }
        }
    }
}

/// Runs the store's background upkeep (`ShopStore.maintain`) at the store's own interval. A failure
/// is logged once, when it starts, and once when a round succeeds again: the rounds are frequent.
struct StoreMaintenance: Service {
    let store: any ShopStore
    let log: LogSink

    func run() async throws {
        guard let interval = store.maintenanceInterval else {
            try? await gracefulShutdown()  // a service that ends would stop the group
            return
        }
        let failing = Locked(false)
        await repeatUntilShutdown(every: interval) {
            do {
                try await store.maintain()
                if failing.withLock({ state in defer { state = false }; return state }) {
                    log.write("store upkeep: working again")
                }
            } catch {
                if !failing.withLock({ state in defer { state = true }; return state }) {
                    log.write("store upkeep failed, will retry: \(error)")
                }
            }
        }
    }
}

/// Runs `round` now and then every `interval` until the service group stops (a round in progress
/// finishes first). A round handles its own failures: a periodic chore never stops the server.
func repeatUntilShutdown(every interval: Duration, _ round: @escaping @Sendable () async -> Void) async {
    await cancelWhenGracefulShutdown {
        while !Task.isCancelled {
            await round()
            do {
                try await Task.sleep(for: interval)
            } catch {
                return  // the group is stopping
            }
        }
    }
}

/// Cancels orders left unpaid for `hours` (`--unpaid-hours`, SPEC §6.9) and puts their units
/// back on sale; only with a payment provider, where payment is the customer's to make.
struct UnpaidOrderRelease: Service {
    let desk: PaymentDesk
    let hours: Int
    let clock: any StoreClock
    let interval: Duration
    let log: LogSink

    func run() async throws {
        await repeatUntilShutdown(every: interval) {
            do {
                let released = try await desk.releaseUnpaid(olderThan: hours, now: clock.now())
                if released > 0 { log.write("payments: released \(released) orders not paid within \(hours) hours") }
            } catch {
                log.write("payments: unpaid orders could not be released, will retry: \(error)")
            }
        }
    }
}

/// Reloads the catalog when another server sharing the store reloads its own (`POST /admin/reload`
/// on any of them reaches all, SPEC §11). A store only one server uses never calls.
struct ReloadListener: Service {
    let store: any ShopStore
    let reload: @Sendable () async -> Void

    func run() async throws {
        await cancelWhenGracefulShutdown {
            try? await store.listenForReloads(reload)
        }
        // A store one server uses returns at once; a service that ends would stop the group.
        try? await gracefulShutdown()
    }
}
