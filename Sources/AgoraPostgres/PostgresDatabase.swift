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

    /// One statement outside any transaction; its rows.
    @discardableResult
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await client.query(query, logger: logger).collect()
    }

    /// Statements in one transaction, retried when PostgreSQL aborts it for a deadlock or a
    /// serialization failure (another server won the race; running again sees its result).
    func transaction<T: Sendable>(_ work: @Sendable (Transaction) async throws -> T) async throws -> T {
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
