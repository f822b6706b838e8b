import GRDB

/// The login limits (SPEC §6.11), counted over failed attempts in the last fifteen minutes:
/// - five failures for one username from one client: that client gets 429 for that username;
/// - twenty failures from one client, whatever the usernames: that client gets 429;
/// - failures for one username from many clients slow every attempt for it down (up to two
///   seconds each), but never refuse it: the owner, from a new address with the right
///   password, still logs in while someone else guesses.
public struct LoginLimits: Sendable {
    public static let window: Int64 = 15 * 60
    public static let perUsernameAndClient = 5
    public static let perClient = 20
    /// Failures for a username from all clients before attempts for it are slowed.
    public static let slowdownAfter = 5
    public static let slowdownStep = Duration.milliseconds(100)
    public static let slowdownCap = Duration.seconds(2)

    let database: AgoraDatabase

    public init(_ database: AgoraDatabase) {
        self.database = database
    }

    /// Throws `tooManyAttempts` with the seconds until the oldest counted failure leaves the window.
    public func check(username: String, client: String) throws {
        let now = database.clock.now()
        let since = now - Self.window
        let (pair, fromClient) = try database.pool.read { db in
            (try Int64.fetchAll(db, sql: "SELECT at FROM login_failures WHERE username = ? AND client = ? AND at > ? ORDER BY at",
                                arguments: [username, client, since]),
             try Int64.fetchAll(db, sql: "SELECT at FROM login_failures WHERE client = ? AND at > ? ORDER BY at",
                                arguments: [client, since]))
        }
        for (failures, limit) in [(pair, Self.perUsernameAndClient), (fromClient, Self.perClient)] where failures.count >= limit {
            // The attempt is allowed again once enough failures have aged out of the window.
            let freeing = failures[failures.count - limit]
            throw AccountError.tooManyAttempts(retryAfter: max(1, freeing + Self.window - now))
        }
    }

    /// How long to wait before checking a password for `username`: nothing normally, 100 ms
    /// more for every failure past the fifth in the window, at most two seconds.
    public func slowdown(username: String) throws -> Duration {
        let since = database.clock.now() - Self.window
        let failures = try database.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM login_failures WHERE username = ? AND at > ?", arguments: [username, since]) ?? 0
        }
        guard failures >= Self.slowdownAfter else { return .zero }
        return min(Self.slowdownCap, Self.slowdownStep * (failures - Self.slowdownAfter + 1))
    }

    public func recordFailure(username: String, client: String) throws {
        let now = database.clock.now()
        try database.pool.write { db in
            try db.execute(sql: "INSERT INTO login_failures (username, client, at) VALUES (?, ?, ?)", arguments: [username, client, now])
            try db.execute(sql: "DELETE FROM login_failures WHERE at <= ?", arguments: [now - Self.window])
        }
    }
}
