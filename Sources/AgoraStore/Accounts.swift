import AgoraContent
import Foundation
import GRDB
import HummingbirdBcrypt

/// A shopper's or a person's account (SPEC §6.1).
public struct Account: Sendable, Equatable {
    public let id: Int64
    public let username: String
    public let email: String
    public let name: String
    public let isAdmin: Bool
    public let createdAt: Int64
}

/// Why an account could not be made or used.
public enum AccountError: Error, Equatable, Sendable {
    case invalid(field: String, message: String)
    case usernameTaken(String)
    case usernameReserved(String)
    case wrongCredentials
    case tooManyAttempts(retryAfter: Int64)
    case unknownAccount(String)
}

/// Accounts, passwords and the login rate limit.
public struct AccountStore: Sendable {
    /// bcrypt's work factor: at least 10 (SPEC §6.1).
    public static let bcryptCost: UInt8 = 10
    public static let failureLimit = 5
    public static let failureWindow: Int64 = 15 * 60

    let database: AgoraDatabase

    public init(_ database: AgoraDatabase) {
        self.database = database
    }

    /// Checks the registration fields and creates the account, recording `joined`. Usernames
    /// are unique without regard to case.
    public func create(username: String, email: String, name: String, password: String, isAdmin: Bool = false) throws -> Account {
        let username = username.trimmingCharacters(in: .whitespaces).lowercased()
        let email = email.trimmingCharacters(in: .whitespaces)
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        if let problem = Self.problems(username: username, email: email, name: name, password: password).first {
            throw AccountError.invalid(field: problem.field, message: problem.message)
        }
        let hash = Bcrypt.hash(password, cost: Self.bcryptCost)
        let now = database.clock.now()
        return try database.pool.write { db in
            if try Int.fetchOne(db, sql: "SELECT 1 FROM accounts WHERE username = ?", arguments: [username]) != nil {
                throw AccountError.usernameTaken(username)
            }
            try db.execute(sql: """
                INSERT INTO accounts (username, email, name, password_hash, is_admin, created_at) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [username.lowercased(), email, name, hash, isAdmin, now])
            let id = db.lastInsertedRowID
            try db.execute(sql: "INSERT INTO actions (actor, verb, created_at) VALUES (?, 'joined', ?)",
                           arguments: [username.lowercased(), now])
            return Account(id: id, username: username.lowercased(), email: email, name: name, isAdmin: isAdmin, createdAt: now)
        }
    }

    /// Every field problem of a registration form, in form order.
    public static func problems(username: String, email: String, name: String, password: String) -> [(field: String, message: String)] {
        var problems: [(String, String)] = []
        if !Identifier.isUsername(username.lowercased()) {
            problems.append(("username", "Use 3 to 30 lower-case letters, digits, - or _"))
        }
        if !Identifier.isEmail(email) { problems.append(("email", "Enter an email address like name@example.com")) }
        if name.isEmpty || name.count > 100 || name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            problems.append(("name", "Enter your name (at most 100 characters)"))
        }
        if !(8...128).contains(password.count) { problems.append(("password", "Use 8 to 128 characters")) }
        return problems
    }

    /// The account for a username and password, refusing after five failures in fifteen minutes
    /// for that username — even with the right password — until the window has passed.
    public func authenticate(username: String, password: String) throws -> Account {
        let now = database.clock.now()
        let key = username.trimmingCharacters(in: .whitespaces).lowercased()
        let recent = try database.pool.read { db in
            try Int64.fetchAll(db, sql: "SELECT at FROM login_failures WHERE username = ? AND at > ? ORDER BY at",
                               arguments: [key, now - Self.failureWindow])
        }
        if recent.count >= Self.failureLimit, let oldest = recent.first {
            throw AccountError.tooManyAttempts(retryAfter: oldest + Self.failureWindow - now)
        }
        let stored = try database.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM accounts WHERE username = ?", arguments: [key])
        }
        // A hash is always checked, so an unknown username takes as long as a wrong password.
        let hash: String = stored?["password_hash"] ?? Self.decoyHash
        let matches = (try? Bcrypt.verify(password, hash: hash)) ?? false
        guard let stored, matches else {
            try database.pool.write { db in
                try db.execute(sql: "INSERT INTO login_failures (username, at) VALUES (?, ?)", arguments: [key, now])
                try db.execute(sql: "DELETE FROM login_failures WHERE at <= ?", arguments: [now - Self.failureWindow])
            }
            throw AccountError.wrongCredentials
        }
        return Self.account(stored)
    }

    private static let decoyHash = Bcrypt.hash("agora decoy password", cost: bcryptCost)

    public func account(id: Int64) throws -> Account? {
        try database.pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM accounts WHERE id = ?", arguments: [id]).map(Self.account) }
    }

    public func account(username: String) throws -> Account? {
        try database.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM accounts WHERE username = ?", arguments: [username]).map(Self.account)
        }
    }

    public func all() throws -> [Account] {
        try database.pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM accounts ORDER BY username").map(Self.account) }
    }

    public func setAdmin(_ username: String, _ isAdmin: Bool) throws {
        try database.pool.write { db in
            try db.execute(sql: "UPDATE accounts SET is_admin = ? WHERE username = ?", arguments: [isAdmin, username])
            if db.changesCount == 0 { throw AccountError.unknownAccount(username) }
        }
    }

    static func account(_ row: Row) -> Account {
        Account(id: row["id"], username: row["username"], email: row["email"], name: row["name"],
                isAdmin: row["is_admin"], createdAt: row["created_at"])
    }
}
