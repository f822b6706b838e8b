import AgoraStore
import GRDB

/// Account rows and failed logins in SQLite.
struct SQLiteAccounts: AccountStore {
    let database: SQLiteDatabase

    init(_ database: SQLiteDatabase) {
        self.database = database
    }

    func insert(username: String, email: String, name: String, passwordHash: String, isAdmin: Bool,
                linkedToProfile: Bool) async throws -> Account {
        let now = database.clock.now()
        return try await database.write { db in
            if try Int.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM accounts WHERE username = ?"), arguments: [username]) != nil {
                throw AccountError.usernameTaken(username)
            }
            try db.run(sql: """
                INSERT INTO accounts (username, email, name, password_hash, is_admin, person_linked, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [username, email, name, passwordHash, isAdmin, linkedToProfile, now])
            let id = db.lastInsertedRowID
            try db.run(sql: "INSERT INTO actions (actor, verb, created_at) VALUES (?, 'joined', ?)", arguments: [username, now])
            return Account(id: id, username: username, email: email, name: name, isAdmin: isAdmin, isLinkedToProfile: linkedToProfile,
                           createdAt: now)
        }
    }

    func credentials(username: String) async throws -> (account: Account, passwordHash: String)? {
        try await database.read { db -> (account: Account, passwordHash: String)? in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM accounts WHERE username = ?"), arguments: [username]) else {
                return nil
            }
            return (Self.account(row), row["password_hash"])
        }
    }

    func setPasswordHash(_ hash: String, accountID: Int64) async throws {
        try await database.write { db in
            try db.run(sql: "UPDATE accounts SET password_hash = ? WHERE id = ?", arguments: [hash, accountID])
        }
    }

    func account(id: Int64) async throws -> Account? {
        try await database.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM accounts WHERE id = ?"), arguments: [id]).map(Self.account)
        }
    }

    func account(username: String) async throws -> Account? {
        try await database.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM accounts WHERE username = ?"), arguments: [username]).map(Self.account)
        }
    }

    func all() async throws -> [Account] {
        try await database.read { db in try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM accounts ORDER BY username")).map(Self.account) }
    }

    func setAdmin(_ username: String, _ isAdmin: Bool) async throws {
        try await database.write { db in
            try db.run(sql: "UPDATE accounts SET is_admin = ? WHERE username = ?", arguments: [isAdmin, username])
            if db.changesCount == 0 { throw AccountError.unknownAccount(username) }
        }
        database.sessionCache.forgetAll()
    }

    func setLinkedToProfile(_ username: String, _ linked: Bool) async throws {
        try await database.write { db in
            try db.run(sql: "UPDATE accounts SET person_linked = ? WHERE username = ?", arguments: [linked, username])
            if db.changesCount == 0 { throw AccountError.unknownAccount(username) }
        }
        database.sessionCache.forgetAll()
    }

    func profileConflicts(people: Set<String>) async throws -> [Account] {
        try await database.read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM accounts WHERE person_linked = 0 ORDER BY username")).map(Self.account)
        }.filter { people.contains($0.username) }
    }

    func loginFailures(username: String, client: String, since: Int64) async throws -> LoginFailures {
        try await database.snapshot { db in
            LoginFailures(
                forUsernameAndClient: try Int64.fetchAll(db.cachedStatement(sql: """
                    SELECT at FROM login_failures WHERE username = ? AND client = ? AND at > ? ORDER BY at
                    """), arguments: [username, client, since]),
                fromClient: try Int64.fetchAll(db.cachedStatement(sql: "SELECT at FROM login_failures WHERE client = ? AND at > ? ORDER BY at"),
                                               arguments: [client, since]),
                forUsername: try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM login_failures WHERE username = ? AND at > ?"),
                                              arguments: [username, since]) ?? 0)
        }
    }

    func recordLoginFailure(username: String, client: String, at now: Int64, forgetBefore: Int64) async throws {
        try await database.write { db in
            try db.run(sql: "INSERT INTO login_failures (username, client, at) VALUES (?, ?, ?)", arguments: [username, client, now])
            try db.run(sql: "DELETE FROM login_failures WHERE at <= ?", arguments: [forgetBefore])
        }
    }

    static func account(_ row: Row) -> Account {
        Account(id: row["id"], username: row["username"], email: row["email"], name: row["name"],
                isAdmin: row["is_admin"], isLinkedToProfile: row["person_linked"], createdAt: row["created_at"])
    }
}
