import AgoraContent
import AgoraSQLite
import Foundation
import HummingbirdBcrypt
import Testing
@testable import AgoraStore

/// Login limits per username and client, passwords where every byte counts, and hashing off the
/// caller's threads (SPEC §6.11).
@Suite struct LoginLimitTests {
    static let start: Int64 = 1_800_000_000

    private func shop(_ backend: Backend) async throws -> (any ShopStore, ManualClock) {
        let clock = ManualClock(Self.start)
        let store = try await backend.makeStore(clock: clock)
        _ = try await store.accountRules.create(username: "owner", email: "owner@example.com", name: "Owner",
                                                password: "the owner's password", isAdmin: true)
        return (store, clock)
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

    @Test(arguments: Backend.allCases) func fiveFailuresLockOneClientOutOfOneUsernameOnly(_ backend: Backend) async throws {
        let (store, clock) = try await shop(backend)
        let accounts = store.accountRules
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

    @Test(arguments: Backend.allCases) func aFloodFromManyClientsSlowsTheUsernameButNeverRefusesIt(_ backend: Backend) async throws {
        let clock = ManualClock(Self.start)
        let store = try await backend.makeStore(clock: clock)
        let limits = LoginLimits(store.accounts, clock: clock)
        #expect(try await limits.admit(username: "owner", client: "203.0.113.9") == .zero)
        for client in 0..<40 {
            for _ in 0..<4 { try await limits.recordFailure(username: "owner", client: "198.51.100.\(client)") }
        }
        // No client reached its own limit, and a new client is not refused: only slowed.
        #expect(try await limits.admit(username: "owner", client: "198.51.100.1") == LoginLimits.slowdownCap)
        #expect(try await limits.admit(username: "owner", client: "203.0.113.9") == LoginLimits.slowdownCap)
        #expect(try await limits.admit(username: "someone-else", client: "203.0.113.9") == .zero)
        #expect(LoginLimits.slowdown(failuresForUsername: 4) == .zero)
        #expect(LoginLimits.slowdown(failuresForUsername: 5) == .milliseconds(100))
        #expect(LoginLimits.slowdown(failuresForUsername: 9) == .milliseconds(500))
        clock.time += LoginLimits.window
        #expect(try await limits.admit(username: "owner", client: "203.0.113.9") == .zero)
    }

    @Test(arguments: Backend.allCases) func floodedOwnerLogsInFromANewClient(_ backend: Backend) async throws {
        let (store, clock) = try await shop(backend)
        for client in 0..<10 {
            for _ in 0..<4 { try await LoginLimits(store.accounts, clock: clock).recordFailure(username: "owner", client: "198.51.100.\(client)") }
        }
        let account = try await store.accountRules.authenticate(username: "owner", password: "the owner's password",
                                                                    client: "203.0.113.9")
        #expect(account.username == "owner")
    }

    @Test(arguments: Backend.allCases) func oneClientGuessingManyUsernamesIsLimitedToo(_ backend: Backend) async throws {
        let (store, clock) = try await shop(backend)
        let accounts = store.accountRules
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

    @Test(arguments: Backend.allCases) func everyByteOfAPasswordCounts(_ backend: Backend) async throws {
        let accounts = try await backend.makeStore().accountRules
        let password = String(repeating: "a", count: 128)
        _ = try await accounts.create(username: "longpass", email: "l@example.com", name: "Long", password: password)
        #expect(try await accounts.authenticate(username: "longpass", password: password).username == "longpass")
        // Equal in bcrypt's first 72 bytes, different after them.
        #expect(await refused { try await accounts.authenticate(username: "longpass", password: String(repeating: "a", count: 72) + "b") }
            == .wrongCredentials)
        #expect(await refused { try await accounts.authenticate(username: "longpass", password: String(repeating: "a", count: 10_000)) }
            == .wrongCredentials)
        // 128 characters of four bytes each still fit; the limit counts bytes as well.
        #expect(Accounts.problems(username: "emoji", email: "e@example.com", name: "E",
                                      password: String(repeating: "😀", count: 128)).isEmpty)
        #expect(!Accounts.problems(username: "zalgo", email: "e@example.com", name: "E",
                                       password: String(repeating: "e\u{301}\u{302}\u{303}", count: 120)).isEmpty)
    }

    @Test(arguments: Backend.allCases) func olderHashesStillWorkAndAreUpgradedAtLogin(_ backend: Backend) async throws {
        let store = try await backend.makeStore()
        let accounts = store.accountRules
        let early = try await accounts.create(username: "early", email: "e@example.com", name: "Early", password: "placeholder")
        let plain = try await Passwords.onHashingThreads { Bcrypt.hash("an old password", cost: Passwords.cost) }
        try await store.accounts.setPasswordHash(plain, accountID: early.id)
        #expect(try await accounts.authenticate(username: "early", password: "an old password").username == "early")
        let stored = try await store.accounts.credentials(username: "early")?.passwordHash
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
