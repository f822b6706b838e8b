import AgoraContent
import Foundation
import GRDB

/// A shopper's or a person's account (SPEC §6.1).
public struct Account: Sendable, Equatable {
    public let id: Int64
    public let username: String
    public let email: String
    public let name: String
    public let isAdmin: Bool
    /// The owner made this account a maker's profile: its actions show with the profile.
    public let isLinkedToProfile: Bool
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

/// Accounts, passwords and the login limits.
public struct AccountStore: Sendable {
    public static let passwordLengths = 8...128

    let database: AgoraDatabase

    public init(_ database: AgoraDatabase) {
        self.database = database
    }

    /// Checks the registration fields and creates the account, recording `joined`. Usernames
    /// are unique without regard to case. `linkedToProfile` is for the owner's own tools
    /// (`agora users create`): an account registered on the site never becomes a maker's profile.
    public func create(username: String, email: String, name: String, password: String, isAdmin: Bool = false,
                       linkedToProfile: Bool = false, emailRequired: Bool = true) async throws -> Account {
        let username = username.trimmingCharacters(in: .whitespaces).lowercased()
        let email = email.trimmingCharacters(in: .whitespaces)
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        let problems = Self.problems(username: username, email: email, name: name, password: password)
            .filter { emailRequired || !email.isEmpty || $0.field != "email" }
        if let problem = problems.first {
            throw AccountError.invalid(field: problem.field, message: problem.message)
        }
        let hash = try await Passwords.hash(password)
        let now = database.clock.now()
        return try await database.pool.write { db in
            if try Int.fetchOne(db, sql: "SELECT 1 FROM accounts WHERE username = ?", arguments: [username]) != nil {
                throw AccountError.usernameTaken(username)
            }
            try db.execute(sql: """
                INSERT INTO accounts (username, email, name, password_hash, is_admin, person_linked, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [username, email, name, hash, isAdmin, linkedToProfile, now])
            let id = db.lastInsertedRowID
            try db.execute(sql: "INSERT INTO actions (actor, verb, created_at) VALUES (?, 'joined', ?)", arguments: [username, now])
            return Account(id: id, username: username, email: email, name: name, isAdmin: isAdmin, isLinkedToProfile: linkedToProfile,
                           createdAt: now)
        }
    }

    /// Every field problem of a registration form, in form order.
    public static func problems(username: String, email: String, name: String, password: String) -> [(field: String, message: String)] {
        var problems: [(String, String)] = []
        if !Identifier.isUsername(username.lowercased()) {
            problems.append(("username", "Use 3 to 30 lower-case letters, digits, - or _"))
        }
        if !Identifier.isEmail(email) { problems.append(("email", "Enter an email address like name@example.com")) }
        switch ShortText.problem(name, limit: 100) {
        case nil: break
        case .bidirectionalControl?: problems.append(("name", "Your name must not contain text-direction control characters"))
        case .some: problems.append(("name", "Enter your name on one line (at most 100 characters)"))
        }
        if !Self.passwordLengths.contains(password.count) || password.utf8.count > Self.passwordLengths.upperBound * 4 {
            problems.append(("password", "Use 8 to 128 characters"))
        }
        return problems
    }

    /// The account for a username and password, within the login limits (`LoginLimits`) for
    /// this username and client. A hash is always checked, so an unknown username takes as long
    /// as a wrong password; a stored hash of the older form is upgraded on success.
    public func authenticate(username: String, password: String, client: String = "") async throws -> Account {
        let key = username.trimmingCharacters(in: .whitespaces).lowercased()
        let limits = LoginLimits(database)
        try limits.check(username: key, client: client)
        let delay = try limits.slowdown(username: key)
        if delay > .zero { try await Task.sleep(for: delay) }
        let stored = try database.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM accounts WHERE username = ?", arguments: [key])
        }
        let hash: String = stored?["password_hash"] ?? Passwords.decoy
        let fits = Self.passwordLengths.contains(password.count) && password.utf8.count <= Self.passwordLengths.upperBound * 4
        let matches = try await Passwords.verify(fits ? password : "", hash: hash)
        guard let stored, fits, matches else {
            try limits.recordFailure(username: key, client: client)
            throw AccountError.wrongCredentials
        }
        if Passwords.needsUpgrade(hash) {
            let upgraded = try await Passwords.hash(password)
            let id: Int64 = stored["id"]
            try await database.pool.write { db in
                try db.execute(sql: "UPDATE accounts SET password_hash = ? WHERE id = ?", arguments: [upgraded, id])
            }
        }
        return Self.account(stored)
    }

    /// Makes an existing account a maker's profile, or (with `false`) a shopper again.
    public func setLinkedToProfile(_ username: String, _ linked: Bool) throws {
        try database.pool.write { db in
            try db.execute(sql: "UPDATE accounts SET person_linked = ? WHERE username = ?", arguments: [linked, username])
            if db.changesCount == 0 { throw AccountError.unknownAccount(username) }
        }
    }

    /// Shoppers' accounts whose username is also a profile's (`people`), which therefore stay
    /// shoppers until the owner links them (SPEC §6.11).
    public func profileConflicts(people: Set<String>) throws -> [Account] {
        try database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM accounts WHERE person_linked = 0 ORDER BY username").map(Self.account)
        }.filter { people.contains($0.username) }
    }

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
                isAdmin: row["is_admin"], isLinkedToProfile: row["person_linked"], createdAt: row["created_at"])
    }
}
