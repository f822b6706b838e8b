import AgoraStore
import Foundation

/// Delivers the outbox inside `agora serve` (SPEC §6.7): due messages are composed, handed to
/// the transport, and marked sent; a failure is retried with exponential backoff until the last
/// attempt, then marked `failed`. The outbox is in SQLite, so a restart resumes where the last
/// run stopped. A message is marked sent right after the transport accepts it: it is sent twice
/// only if the process dies in between.
public final class OutboxWorker: Sendable {
    public struct Settings: Sendable {
        public var maxAttempts: Int
        /// The first retry waits this long; each later one twice as long, up to `retryCap`.
        public var retryBase: Int64
        public var retryCap: Int64
        /// How often to look for due messages when nothing wakes the worker.
        public var pollInterval: TimeInterval

        public init(maxAttempts: Int = 8, retryBase: Int64 = 30, retryCap: Int64 = 3600, pollInterval: TimeInterval = 1) {
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

    public typealias Composer = @Sendable (OutboxMessage) throws -> MailMessage

    private let outbox: Outbox
    private let transport: any MailTransport
    private let compose: Composer
    private let settings: Settings
    private let log: @Sendable (String) -> Void
    private let signal = NSCondition()
    private let state = LockedFlags()

    public init(database: AgoraDatabase, transport: any MailTransport, settings: Settings = Settings(),
                log: @escaping @Sendable (String) -> Void = { _ in }, compose: @escaping Composer) {
        outbox = Outbox(database)
        self.transport = transport
        self.settings = settings
        self.log = log
        self.compose = compose
    }

    /// Runs the delivery loop on its own thread until `stop()`.
    public func start() {
        Thread.detachNewThread { [self] in
            while !state.stopped {
                _ = deliverDue()
                signal.lock()
                if !state.stopped, !state.takeWake() { _ = signal.wait(until: Date(timeIntervalSinceNow: settings.pollInterval)) }
                signal.unlock()
            }
        }
    }

    /// Looks at the outbox now (after an order was placed).
    public func wake() {
        signal.lock()
        state.setWake()
        signal.signal()
        signal.unlock()
    }

    public func stop() {
        signal.lock()
        state.stop()
        signal.signal()
        signal.unlock()
    }

    /// Sends every due message once; returns how many were attempted.
    @discardableResult
    public func deliverDue() -> Int {
        guard let due = try? outbox.due() else { return 0 }
        for message in due {
            do {
                let mail = try compose(message)
                try transport.deliver(try mail.rfc5322(), messageID: mail.messageID)
                try outbox.markSent(message.id)
                log("mail: sent order \(message.orderNumber) to \(message.recipient) via \(transport.description)")
            } catch {
                let attempts = message.attempts + 1
                try? outbox.markFailed(message.id, error: "\(error)", retryAfter: settings.delay(afterAttempts: attempts),
                                       maxAttempts: settings.maxAttempts)
                let final = attempts >= settings.maxAttempts
                log("mail: order \(message.orderNumber), attempt \(attempts) failed\(final ? " (giving up)" : ""): \(error)")
            }
        }
        return due.count
    }
}

/// The worker's flags, behind a lock of their own.
private final class LockedFlags: @unchecked Sendable {
    private let lock = NSLock()
    private var isStopped = false
    private var woken = false

    var stopped: Bool { lock.withLock { isStopped } }
    func stop() { lock.withLock { isStopped = true } }
    func setWake() { lock.withLock { woken = true } }

    /// Whether a wake-up arrived since the last look (and forget it).
    func takeWake() -> Bool {
        lock.withLock {
            defer { woken = false }
            return woken
        }
    }
}
