import AgoraStore
import PostgresNIO

/// Account rows and failed logins in PostgreSQL. Usernames compare without regard to case.
struct PostgresAccounts: AccountStore {
    let database: PostgresDatabase

    /// The columns `account(_:from:)` reads, in its order, from the table named `alias`.
    static func columns(_ alias: String) -> String {
        ["id", "username", "email", "name", "is_admin", "person_linked", "created_at"].map { "\(alias).\($0)" }.joined(separator: ", ")
    }

    static func account(_ row: PostgresRow, from first: Int = 0) throws -> Account {
        let cells = Array(row)
        func cell<T: PostgresDecodable>(_ offset: Int, _ type: T.Type) throws -> T { try cells[first + offset].decode(T.self) }
        return Account(id: try cell(0, Int64.self), username: try cell(1, String.self), email: try cell(2, String.self),
                       name: try cell(3, String.self), isAdmin: try cell(4, Bool.self), isLinkedToProfile: try cell(5, Bool.self),
                       createdAt: try cell(6, Int64.self))
    }

    func insert(username: String, email: String, name: String, passwordHash: String, isAdmin: Bool,
                linkedToProfile: Bool) async throws -> Account {
        let now = database.clock.now()
        return try await database.transaction { db in
            let inserted = try await db.rows("""
                INSERT INTO accounts (username, email, name, password_hash, is_admin, person_linked, created_at)
                VALUES (\(username), \(email), \(name), \(passwordHash), \(isAdmin), \(linkedToProfile), \(now))
                ON CONFLICT (lower(username)) DO NOTHING RETURNING id
                """)
            guard let id = try inserted.first?.decode(Int64.self) else { throw AccountError.usernameTaken(username) }
            try await db.rows("INSERT INTO actions (actor, verb, created_at) VALUES (\(username), 'joined', \(now))")
            return Account(id: id, username: username, email: email, name: name, isAdmin: isAdmin, isLinkedToProfile: linkedToProfile,
                           createdAt: now)
        }
    }

    func credentials(username: String) async throws -> (account: Account, passwordHash: String)? {
        guard let row = try await database.rows("""
            SELECT \(unescaped: Self.columns("a")), a.password_hash FROM accounts a WHERE lower(a.username) = lower(\(username))
            """).first else { return nil }
        return (try Self.account(row), try Array(row)[7].decode(String.self))
    }

    func setPasswordHash(_ hash: String, accountID: Int64) async throws {
        try await database.rows("UPDATE accounts SET password_hash = \(hash) WHERE id = \(accountID)")
    }

    func account(id: Int64) async throws -> Account? {
        try await database.rows("SELECT \(unescaped: Self.columns("a")) FROM accounts a WHERE a.id = \(id)").first.map { try Self.account($0) }
    }

    func account(username: String) async throws -> Account? {
        try await database.rows("SELECT \(unescaped: Self.columns("a")) FROM accounts a WHERE lower(a.username) = lower(\(username))")
            .first.map { try Self.account($0) }
    }

    func all() async throws -> [Account] {
        try await database.rows("SELECT \(unescaped: Self.columns("a")) FROM accounts a ORDER BY lower(a.username)").map { try Self.account($0) }
    }

    func setAdmin(_ username: String, _ isAdmin: Bool) async throws {
        let changed = try await database.rows("UPDATE accounts SET is_admin = \(isAdmin) WHERE lower(username) = lower(\(username)) RETURNING 1")
        if changed.isEmpty { throw AccountError.unknownAccount(username) }
    }

    func setLinkedToProfile(_ username: String, _ linked: Bool) async throws {
        let changed = try await database.rows("""
            UPDATE accounts SET person_linked = \(linked) WHERE lower(username) = lower(\(username)) RETURNING 1
            """)
        if changed.isEmpty { throw AccountError.unknownAccount(username) }
    }

    func profileConflicts(people: Set<String>) async throws -> [Account] {
        try await database.rows("""
            SELECT \(unescaped: Self.columns("a")) FROM accounts a WHERE NOT a.person_linked ORDER BY lower(a.username)
            """).map { try Self.account($0) }.filter { people.contains($0.username) }
    }

    func loginFailures(username: String, client: String, since: Int64) async throws -> LoginFailures {
        async let forBoth = database.rows("""
            SELECT at FROM login_failures WHERE lower(username) = lower(\(username)) AND client = \(client) AND at > \(since) ORDER BY at
            """)
        async let fromClient = database.rows("SELECT at FROM login_failures WHERE client = \(client) AND at > \(since) ORDER BY at")
        async let forUsername = database.rows("""
            SELECT COUNT(*) FROM login_failures WHERE lower(username) = lower(\(username)) AND at > \(since)
            """)
        return LoginFailures(forUsernameAndClient: try await forBoth.map { try $0.decode(Int64.self) },
                             fromClient: try await fromClient.map { try $0.decode(Int64.self) },
                             forUsername: try await forUsername.first?.decode(Int.self) ?? 0)
    }

    func recordLoginFailure(username: String, client: String, at now: Int64, forgetBefore: Int64) async throws {
        try await database.transaction { db in
            try await db.rows("INSERT INTO login_failures (username, client, at) VALUES (\(username), \(client), \(now))")
            try await db.rows("DELETE FROM login_failures WHERE at <= \(forgetBefore)")
        }
    }
}
