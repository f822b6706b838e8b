import Foundation
import PostgresNIO

/// A `postgres://` or `postgresql://` URL (SPEC §11), with `?host=/path/to/socket` for a Unix
/// socket: `postgres://agora:secret@db.example.com:5432/shop`, `postgresql:///shop?host=/run/postgresql&user=agora`.
public struct PostgresURL: Sendable, Equatable {
    public var host: String?
    public var socketFolder: String?
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String

    /// Whether `text` names PostgreSQL rather than a SQLite file.
    public static func isPostgres(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    public init?(_ text: String) {
        guard Self.isPostgres(text), let components = URLComponents(string: text) else { return nil }
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }) { first, _ in first }
        host = components.host.flatMap { $0.isEmpty ? nil : $0 }
        socketFolder = query["host"].flatMap { $0.hasPrefix("/") ? $0 : nil }
        if host == nil, let named = query["host"], !named.hasPrefix("/") { host = named }
        port = components.port ?? Int(query["port"] ?? "") ?? 5432
        user = components.user.flatMap { $0.removingPercentEncoding } ?? query["user"] ?? "postgres"
        password = components.password.flatMap { $0.removingPercentEncoding } ?? query["password"]
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = path.isEmpty ? (query["dbname"] ?? user) : (path.removingPercentEncoding ?? path)
        if host == nil, socketFolder == nil { host = "127.0.0.1" }
    }

    /// The URL without its password, for messages and `/healthz`.
    public var redacted: String {
        let place = socketFolder.map { "?host=\($0)" } ?? ""
        return "postgres://\(user)@\(host ?? ""):\(port)/\(database)\(place)"
    }

    /// The same server, another database (tests make one per store).
    public func with(database: String) -> PostgresURL {
        var copy = self
        copy.database = database
        return copy
    }

    var clientConfiguration: PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        if let socketFolder {
            configuration = .init(unixSocketPath: socketFolder + "/.s.PGSQL.\(port)", username: user, password: password, database: database)
        } else {
            configuration = .init(host: host ?? "127.0.0.1", port: port, username: user, password: password, database: database, tls: .disable)
        }
        configuration.options.maximumConnections = 20
        return configuration
    }
}
