import AgoraStore
import Foundation
import ServiceLifecycle

/// Delivers the outbox inside `agora serve` (SPEC §6.7), as a service of the server's
/// `ServiceGroup`: due messages are composed, handed to the transport (on threads kept for
/// blocking work), and marked sent; a failure is retried with exponential backoff until the last
/// attempt, then marked `failed`. The outbox is durable, so a restart resumes where the last run
/// stopped. A message is marked sent right after the transport accepts it: it is sent twice
/// only if the process dies in between. On a graceful stop (SIGTERM) a delivery in flight is
/// finished and marked before the service returns.
public final class OutboxWorker: Service, Sendable {
    public struct Settings: Sendable {
        public var maxAttempts: Int
        /// The first retry waits this long; each later one twice as long, up to `retryCap`.
        public var retryBase: Int64
        public var retryCap: Int64
        /// How often to look for due messages when nothing wakes the worker.
        public var pollInterval: Duration

        public init(maxAttempts: Int = 8, retryBase: Int64 = 30, retryCap: Int64 = 3600, pollInterval: Duration = .seconds(1)) {
            self.maxAttempts = maxAttempts
            self.retryBase = retryBase
            self.retryCap = retryCap
            self.pollInterval = pollInterval
        }

        /// Seconds before the next attempt after `attempts` failures.
        public func delay(afterAttempts attempts: Int) -> Int64 {
            let exponent = min(max(0, attempts - 1), 30)
            return min(retryCap, retryBase * (Int64(1) << Int64(exponent)))
        }
    }

    public typealias Composer = @Sendable (OutboxMessage) async throws -> MailMessage

    private let outbox: any OutboxStore
    private let transport: any MailTransport
    private let compose: Composer
    private let settings: Settings
    private let log: @Sendable (String) -> Void
    /// Wake-ups after an order: at most one waits, more would say nothing new.
    private let wakes: AsyncStream<Void>
    private let waker: AsyncStream<Void>.Continuation

    public init(outbox: any OutboxStore, transport: any MailTransport, settings: Settings = Settings(),
                log: @escaping @Sendable (String) -> Void = { _ in }, compose: @escaping Composer) {
        self.outbox = outbox
        self.transport = transport
        self.settings = settings
        self.log = log
        self.compose = compose
        (wakes, waker) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Delivers until the service group stops gracefully (or the task is cancelled): at start,
    /// after every wake-up, and every poll interval.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: self.settings.pollInterval)
                        self.waker.yield()
                    }
                }
                group.addTask {
                    await self.deliverDue()
                    for await _ in self.wakes { await self.deliverDue() }
                }
                await group.next()
                group.cancelAll()
            }
        }
    }

    /// Looks at the outbox now (after an order was placed).
    public func wake() {
        waker.yield()
    }

    /// Sends every due message once; returns how many were attempted. A delivery that has begun
    /// is finished and recorded even if the service is asked to stop meanwhile.
    @discardableResult
    public func deliverDue() async -> Int {
        guard let due = try? await outbox.due() else { return 0 }
        var attempted = 0
        for message in due {
            if Task.isCancelled { break }
            attempted += 1
            await Task { await deliver(message) }.value  // not cancelled with the caller: a begun delivery completes
        }
        return attempted
    }

    private func deliver(_ message: OutboxMessage) async {
        do {
            let mail = try await compose(message)
            let text = try mail.rfc5322()
            let transport = self.transport
            try await transport.deliver(text, messageID: mail.messageID)
            try await outbox.markSent(message.id)
            log("mail: sent order \(message.orderNumber) to \(message.recipient) via \(transport.description)")
        } catch {
            let attempts = message.attempts + 1
            try? await outbox.markFailed(message.id, error: "\(error)", retryAfter: settings.delay(afterAttempts: attempts),
                                         maxAttempts: settings.maxAttempts)
            let final = attempts >= settings.maxAttempts
            log("mail: order \(message.orderNumber), attempt \(attempts) failed\(final ? " (giving up)" : ""): \(error)")
        }
    }
}
