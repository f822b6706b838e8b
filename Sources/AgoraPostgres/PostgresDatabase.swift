import AgoraStore
import Logging
import PostgresNIO

/// The shop's PostgreSQL database: a pool of connections (postgres-nio's `PostgresClient`),
/// migrated on open. Every call is `async` on NIO's event loops; nothing here blocks a thread.
///
/// Writes that check before they write (stock, idempotency keys, the 60 s dedupe) lock the rows
/// or keys they check inside their transaction, so any number of servers can share the database.
final class PostgresDatabase: Sendable {
    let client: PostgresClient
    let url: PostgresURL
    let clock: any StoreClock
    let logger: Logger
    private let running: Task<Void, Never>

    init(url: PostgresURL, clock: any StoreClock) async throws {
        var logger = Logger(label: "agora.postgres")
        logger.logLevel = .error
        let client = PostgresClient(configuration: url.clientConfiguration, backgroundLogger: logger)
        self.client = client
        self.url = url
        self.clock = clock
        self.logger = logger
        // The pool lives as long as the store: `close()` ends it.
        running = Task { await client.run() }
        do {
            try await PostgresMigrations.run(on: client, logger: logger)
        } catch {
            running.cancel()
            throw PostgresStoreError.cannotOpen(url.redacted, reason: String(reflecting: error))
        }
    }

    func close() async {
        running.cancel()
        _ = await running.result
    }

    /// How long a request waits for its database work while the database answers (slowly, under
    /// load), and while it is known to be down: postgres-nio's pool keeps a request waiting while
    /// it tries to reconnect, so without a deadline a request would wait as long as the outage.
    static let patience: Duration = .seconds(30)
    static let patienceWhileDown: Duration = .seconds(3)

    /// False from the first sign that the database is gone (a connection lost, a deadline missed)
    /// until the next statement that succeeds.
    private let reachable = Locked(true)

    /// Called by whoever sees the database go away first (the reload listener's connection).
    func markUnreachable() {
        reachable.withLock { $0 = false }
    }

    /// One statement outside any transaction; its rows. `patience`: a shorter deadline (health checks).
    @discardableResult
    func rows(_ query: PostgresQuery, patience: Duration? = nil) async throws -> [PostgresRow] {
        let client = client
        let logger = logger
        return try await available(within: patience) { try await client.query(query, logger: logger).collect() }
    }

    /// Statements in one transaction, retried when PostgreSQL aborts it for a deadlock or a
    /// serialization failure (another server won the race; running again sees its result).
    /// `unbounded`: no deadline (a whole shop's copy).
    func transaction<T: Sendable>(unbounded: Bool = false,
                                  _ work: @escaping @Sendable (Transaction) async throws -> T) async throws -> T {
        let client = client
        let logger = logger
        let run: @Sendable () async throws -> T = {
            var attempt = 0
            while true {
                attempt += 1
                do {
                    return try await client.withConnection { connection in
                        try await Transaction.run(on: connection, logger: logger, work)
                    }
                } catch let error as PSQLError where attempt < 5 && error.isRetryable {
                    continue
                }
            }
        }
        return unbounded ? try await run() : try await available(within: nil, run)
    }

    /// `work`, or `StoreUnavailable` when the database cannot be reached or does not answer in time.
    private func available<T: Sendable>(within patience: Duration?, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        let deadline = patience ?? (reachable.withLock { $0 } ? Self.patience : Self.patienceWhileDown)
        do {
            let value = try await withThrowingTaskGroup(of: T.self) { group in
                group.addTask { try await work() }
                group.addTask {
                    try await Task.sleep(for: deadline)
                    throw StoreUnavailable("no answer within \(deadline)")
                }
                defer { group.cancelAll() }
                guard let first = try await group.next() else { throw StoreUnavailable("no answer") }
                return first
            }
            reachable.withLock { $0 = true }
            return value
        } catch let error as PSQLError where error.meansUnavailable {
            markUnreachable()
            throw StoreUnavailable(String(describing: error.code))
        } catch let error as StoreUnavailable {
            markUnreachable()
            throw error
        }
    }
}

/// One transaction's connection.
struct Transaction {
    let connection: PostgresConnection
    let logger: Logger

    @discardableResult
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await connection.query(query, logger: logger).collect()
    }

    static func run<T>(on connection: PostgresConnection, logger: Logger, _ work: (Transaction) async throws -> T) async throws -> T {
        let transaction = Transaction(connection: connection, logger: logger)
        try await transaction.rows("BEGIN")
        do {
            let value = try await work(transaction)
            try await transaction.rows("COMMIT")
            return value
        } catch {
            _ = try? await transaction.rows("ROLLBACK")
            throw error
        }
    }
}

extension PSQLError {
    /// The connection, not the statement, failed: the database is down or restarting.
    var meansUnavailable: Bool {
        switch code {
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed: return true
        case .server:
            let state = serverInfo?[.sqlState] ?? ""
            return state.hasPrefix("08") || state.hasPrefix("57P") || state == "53300"  // connection, shutdown, too many clients
        default: return false
        }
    }

    /// serialization_failure or deadlock_detected: the transaction can simply run again.
    var isRetryable: Bool {
        guard let state = serverInfo?[.sqlState] else { return false }
        return state == "40001" || state == "40P01"
    }
}

public enum PostgresStoreError: Error, CustomStringConvertible {
    case cannotOpen(String, reason: String)
    case notEmpty(String)
    case countMismatch(table: String, expected: Int, found: Int)

    public var description: String {
        switch self {
        case .cannotOpen(let url, let reason): return "cannot open \(url): \(reason)"
        case .notEmpty(let url): return "\(url) already holds a shop's data; copy into an empty database"
        case .countMismatch(let table, let expected, let found):
            return "\(table): \(found) rows after the copy, \(expected) in the source; nothing was copied"
        }
    }
}
