import AgoraContent
import Foundation
import GRDB
import HummingbirdBcrypt
import Testing
@testable import AgoraStore

/// Login limits per username and client, passwords where every byte counts, and hashing off the
/// caller's threads (SPEC §6.11).
@Suite struct LoginLimitTests {
    static let start: Int64 = 1_800_000_000

    private func shop() async throws -> (AgoraDatabase, ManualClock) {
        let clock = ManualClock(Self.start)
        let database = try temporaryDatabase(clock: clock)
        _ = try await AccountStore(database).create(username: "owner", email: "owner@example.com", name: "Owner",
                                                    password: "the owner's password", isAdmin: true)
        return (database, clock)
    }

    private func refused(_ attempt: () async throws -> Account) async -> AccountError? {
        do {
            _ = try await attempt()
            return nil
        } catch let error as AccountError {
            return error
        } catch {
            return nil
        }
    }

    @Test func fiveFailuresLockOneClientOutOfOneUsernameOnly() async throws {
        let (database, clock) = try await shop()
        let accounts = AccountStore(database)
        for _ in 0..<5 {
            #expect(await refused { try await accounts.authenticate(username: "owner", password: "guess", client: "10.0.0.66") }
                == .wrongCredentials)
        }
        // The guessing client is refused even with the right password…
        #expect(await refused { try await accounts.authenticate(username: "owner", password: "the owner's password", client: "10.0.0.66") }
            == .tooManyAttempts(retryAfter: 900))
        // …but the owner, from another address, logs in.
        #expect(try await accounts.authenticate(username: "owner", password: "the owner's password", client: "192.0.2.7").isAdmin)
        clock.time += LoginLimits.window
        #expect(try await accounts.authenticate(username: "owner", password: "the owner's password", client: "10.0.0.66").isAdmin)
    }

    @Test func aFloodFromManyClientsSlowsTheUsernameButTheOwnerStillLogsIn() throws {
        let clock = ManualClock(Self.start)
        let database = try temporaryDatabase(clock: clock)
        let limits = LoginLimits(database)
        #expect(try limits.slowdown(username: "owner") == .zero)
        for client in 0..<40 {
            for _ in 0..<4 { try limits.recordFailure(username: "owner", client: "198.51.100.\(client)") }
        }
        #expect(try limits.slowdown(username: "owner") == LoginLimits.slowdownCap)
        #expect(try limits.slowdown(username: "someone-else") == .zero)
        // No client reached its own limit, and a new client is not refused at all.
        try limits.check(username: "owner", client: "198.51.100.1")
        try limits.check(username: "owner", client: "203.0.113.9")
        clock.time += LoginLimits.window
        #expect(try limits.slowdown(username: "owner") == .zero)
    }

    @Test func floodedOwnerLogsInFromANewClient() async throws {
        let (database, _) = try await shop()
        for client in 0..<10 {
            for _ in 0..<4 { try LoginLimits(database).recordFailure(username: "owner", client: "198.51.100.\(client)") }
        }
        let account = try await AccountStore(database).authenticate(username: "owner", password: "the owner's password",
                                                                    client: "203.0.113.9")
        #expect(account.username == "owner")
    }

    @Test func oneClientGuessingManyUsernamesIsLimitedToo() async throws {
        let (database, clock) = try await shop()
        let accounts = AccountStore(database)
        for index in 0..<LoginLimits.perClient {
            #expect(await refused { try await accounts.authenticate(username: "user\(index)", password: "guess", client: "10.9.9.9") }
                == .wrongCredentials)
        }
        guard case .tooManyAttempts? = await refused({
            try await accounts.authenticate(username: "owner", password: "the owner's password", client: "10.9.9.9")
        }) else {
            Issue.record("a client with 20 failures was not limited")
            return
        }
        #expect(try await accounts.authenticate(username: "owner", password: "the owner's password", client: "10.1.1.1").isAdmin)
        clock.time += LoginLimits.window
        #expect(try await accounts.authenticate(username: "owner", password: "the owner's password", client: "10.9.9.9").isAdmin)
    }

    @Test func everyByteOfAPasswordCounts() async throws {
        let database = try temporaryDatabase()
        let accounts = AccountStore(database)
        let password = String(repeating: "a", count: 128)
        _ = try await accounts.create(username: "longpass", email: "l@example.com", name: "Long", password: password)
        #expect(try await accounts.authenticate(username: "longpass", password: password).username == "longpass")
        // Equal in bcrypt's first 72 bytes, different after them.
        #expect(await refused { try await accounts.authenticate(username: "longpass", password: String(repeating: "a", count: 72) + "b") }
            == .wrongCredentials)
        #expect(await refused { try await accounts.authenticate(username: "longpass", password: String(repeating: "a", count: 10_000)) }
            == .wrongCredentials)
        // 128 characters of four bytes each still fit; the limit counts bytes as well.
        #expect(AccountStore.problems(username: "emoji", email: "e@example.com", name: "E",
                                      password: String(repeating: "😀", count: 128)).isEmpty)
        #expect(!AccountStore.problems(username: "zalgo", email: "e@example.com", name: "E",
                                       password: String(repeating: "e\u{301}\u{302}\u{303}", count: 120)).isEmpty)
    }

    @Test func olderHashesStillWorkAndAreUpgradedAtLogin() async throws {
        let database = try temporaryDatabase()
        let accounts = AccountStore(database)
        _ = try await accounts.create(username: "early", email: "e@example.com", name: "Early", password: "placeholder")
        let plain = try await Passwords.onHashingThreads { Bcrypt.hash("an old password", cost: Passwords.cost) }
        try await database.pool.write { db in
            try db.execute(sql: "UPDATE accounts SET password_hash = ? WHERE username = 'early'", arguments: [plain])
        }
        #expect(try await accounts.authenticate(username: "early", password: "an old password").username == "early")
        let stored = try await database.pool.read { db in
            try String.fetchOne(db, sql: "SELECT password_hash FROM accounts WHERE username = 'early'")
        }
        #expect(stored?.hasPrefix("sha256-bcrypt$$2") == true)
        #expect(try await accounts.authenticate(username: "early", password: "an old password").username == "early")
    }

    private static func threadName() -> String { Thread.current.name ?? "" }

    @Test func hashingRunsOnItsOwnThreads() async throws {
        let name = try await Passwords.onHashingThreads { Thread.current.name ?? "" }
        // NIOThreadPool's threads, not the cooperative pool that answers requests.
        #expect(name.hasPrefix("TP-#"))
        let callers = await Task.detached { Self.threadName() }.value
        #expect(!callers.hasPrefix("TP-#"))
    }
}
