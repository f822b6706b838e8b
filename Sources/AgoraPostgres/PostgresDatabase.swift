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

    /// How long a request's database work may take before the request is answered 503: while the
    /// database is down, postgres-nio's pool keeps trying to connect and a request would wait.
    static let patience: Duration = .seconds(5)

    /// One statement outside any transaction; its rows.
    @discardableResult
    func rows(_ query: PostgresQuery, patience: Duration = PostgresDatabase.patience) async throws -> [PostgresRow] {
        let client = client
        let logger = logger
        return try await Self.available(within: patience) { try await client.query(query, logger: logger).collect() }
    }

    /// Statements in one transaction, retried when PostgreSQL aborts it for a deadlock or a
    /// serialization failure (another server won the race; running again sees its result).
    /// `patience` nil: no deadline (a whole shop's copy).
    func transaction<T: Sendable>(patience: Duration? = PostgresDatabase.patience,
                                  _ work: @escaping @Sendable (Transaction) async throws -> T) async throws -> T {
        let client = client
        let logger = logger
        return try await Self.available(within: patience) {
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
    }

    /// `work`, or `StoreUnavailable` when the database cannot be reached or does not answer in time.
    private static func available<T: Sendable>(within patience: Duration?, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        do {
            guard let patience else { return try await work() }
            return try await withThrowingTaskGroup(of: T.self) { group in
                group.addTask { try await work() }
                group.addTask {
                    try await Task.sleep(for: patience)
                    throw StoreUnavailable("no answer within \(patience)")
                }
                defer { group.cancelAll() }
                guard let first = try await group.next() else { throw StoreUnavailable("no answer") }
                return first
            }
        } catch let error as PSQLError where error.meansUnavailable {
            throw StoreUnavailable(String(describing: error.code))
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
