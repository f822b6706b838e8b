import AgoraContent
import Foundation

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

    public init(id: Int64, username: String, email: String, name: String, isAdmin: Bool, isLinkedToProfile: Bool, createdAt: Int64) {
        self.id = id
        self.username = username
        self.email = email
        self.name = name
        self.isAdmin = isAdmin
        self.isLinkedToProfile = isLinkedToProfile
        self.createdAt = createdAt
    }
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

/// Failed logins in the window, as the limits count them.
public struct LoginFailures: Sendable, Equatable {
    /// Times of failures for this username from this client, oldest first.
    public let forUsernameAndClient: [Int64]
    /// Times of failures from this client for any username, oldest first.
    public let fromClient: [Int64]
    /// How many failures for this username from any client.
    public let forUsername: Int

    public init(forUsernameAndClient: [Int64], fromClient: [Int64], forUsername: Int) {
        self.forUsernameAndClient = forUsernameAndClient
        self.fromClient = fromClient
        self.forUsername = forUsername
    }
}

/// Account rows and failed logins. The rules — validation, hashing, limits — are `Accounts`'s,
/// the same over every backend.
public protocol AccountStore: Sendable {
    /// Inserts the account and records `joined`; `usernameTaken` when the name exists.
    func insert(username: String, email: String, name: String, passwordHash: String, isAdmin: Bool,
                linkedToProfile: Bool) async throws -> Account
    func credentials(username: String) async throws -> (account: Account, passwordHash: String)?
    func setPasswordHash(_ hash: String, accountID: Int64) async throws
    func account(id: Int64) async throws -> Account?
    func account(username: String) async throws -> Account?
    func all() async throws -> [Account]
    /// `unknownAccount` when there is no such account.
    func setAdmin(_ username: String, _ isAdmin: Bool) async throws
    func setLinkedToProfile(_ username: String, _ linked: Bool) async throws
    /// Accounts not linked to a profile whose username is in `people`.
    func profileConflicts(people: Set<String>) async throws -> [Account]
    func loginFailures(username: String, client: String, since: Int64) async throws -> LoginFailures
    /// Records a failure and forgets those older than `forgetBefore`.
    func recordLoginFailure(username: String, client: String, at: Int64, forgetBefore: Int64) async throws
}

/// Registration and login (SPEC §6.1, §6.11) over any `AccountStore`.
public struct Accounts: Sendable {
    public static let passwordLengths = 8...128

    public let store: any AccountStore
    let clock: any StoreClock

    public init(_ store: any AccountStore, clock: any StoreClock) {
        self.store = store
        self.clock = clock
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
        return try await store.insert(username: username, email: email, name: name, passwordHash: hash, isAdmin: isAdmin,
                                      linkedToProfile: linkedToProfile)
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
        if !passwordFits(password) { problems.append(("password", "Use 8 to 128 characters")) }
        return problems
    }

    /// 8 to 128 characters of at most four bytes each.
    static func passwordFits(_ password: String) -> Bool {
        passwordLengths.contains(password.count) && password.utf8.count <= passwordLengths.upperBound * 4
    }

    /// The account for a username and password, within the login limits for this username and
    /// client. A hash is always checked, so an unknown username takes as long as a wrong
    /// password; a stored hash of the older form is upgraded on success.
    public func authenticate(username: String, password: String, client: String = "") async throws -> Account {
        let key = username.trimmingCharacters(in: .whitespaces).lowercased()
        let limits = LoginLimits(store, clock: clock)
        let delay = try await limits.admit(username: key, client: client)
        if delay > .zero { try await Task.sleep(for: delay) }
        let stored = try await store.credentials(username: key)
        let fits = Self.passwordFits(password)
        let matches = try await Passwords.verify(fits ? password : "", hash: stored?.passwordHash ?? Passwords.decoy)
        guard let stored, fits, matches else {
            try await limits.recordFailure(username: key, client: client)
            throw AccountError.wrongCredentials
        }
        if Passwords.needsUpgrade(stored.passwordHash) {
            try await store.setPasswordHash(try await Passwords.hash(password), accountID: stored.account.id)
        }
        return stored.account
    }
}

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

    let store: any AccountStore
    let clock: any StoreClock

    public init(_ store: any AccountStore, clock: any StoreClock) {
        self.store = store
        self.clock = clock
    }

    /// Throws `tooManyAttempts` (with the seconds until enough failures leave the window) when
    /// this client is over a limit; otherwise how long to wait before checking the password.
    public func admit(username: String, client: String) async throws -> Duration {
        let now = clock.now()
        let failures = try await store.loginFailures(username: username, client: client, since: now - Self.window)
        for (times, limit) in [(failures.forUsernameAndClient, Self.perUsernameAndClient), (failures.fromClient, Self.perClient)]
        where times.count >= limit {
            // Allowed again once enough failures have aged out of the window.
            let freeing = times[times.count - limit]
            throw AccountError.tooManyAttempts(retryAfter: max(1, freeing + Self.window - now))
        }
        return Self.slowdown(failuresForUsername: failures.forUsername)
    }

    /// Nothing normally; 100 ms more for every failure past the fifth in the window, at most two seconds.
    public static func slowdown(failuresForUsername failures: Int) -> Duration {
        guard failures >= slowdownAfter else { return .zero }
        return min(slowdownCap, slowdownStep * (failures - slowdownAfter + 1))
    }

    public func recordFailure(username: String, client: String) async throws {
        let now = clock.now()
        try await store.recordLoginFailure(username: username, client: client, at: now, forgetBefore: now - Self.window)
    }
}
