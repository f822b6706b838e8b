import AgoraContent
import AgoraStore
import Foundation
import Testing

@Suite struct SocialStoreTests {
    @Test(arguments: Backend.allCases) func followsLikesAndTheirCountsStayTrue(_ backend: Backend) async throws {
        let store = try await backend.makeStore()
        let social = store.social
        #expect(try await social.setFollow(follower: "ana", person: "mira", following: true) == (1, true))
        #expect(try await social.setFollow(follower: "ana", person: "mira", following: true) == (1, true))  // already
        #expect(try await social.setFollow(follower: "bob", person: "mira", following: true) == (2, true))
        #expect(try await social.followCounts("mira") == (2, 0))
        #expect(try await social.followCounts("ana") == (0, 1))
        #expect(try await social.isFollowing("ana", "mira"))
        #expect(try await !social.isFollowing("mira", "ana"))
        #expect(try await social.following("ana") == ["mira"])
        #expect(try await social.setFollow(follower: "ana", person: "mira", following: false) == (1, false))
        #expect(try await social.setFollow(follower: "ana", person: "mira", following: false) == (1, false))  // already gone

        #expect(try await social.setLike(account: "ana", sku: "GT-1", liking: true) == (1, true))
        #expect(try await social.setLike(account: "ana", sku: "GT-1", liking: true) == (1, true))
        #expect(try await social.hasLiked("ana", "GT-1"))
        #expect(try await store.counters.counts(.product, "GT-1").likes == 1)
        #expect(try await social.setLike(account: "ana", sku: "GT-1", liking: false) == (0, false))
        #expect(try await social.countDrifts(fix: false).isEmpty)
    }

    /// `/admin/actions/`: every action newest first, by verb and by actor, in keyset pages.
    @Test(arguments: Backend.allCases) func theOwnerPagesThroughEveryActionByVerbAndActor(_ backend: Backend) async throws {
        let clock = ManualClock(1_800_000_000)
        let store = try await backend.makeStore(clock: clock)
        for person in ["mira", "tomas", "aiko"] {
            _ = try await store.social.setFollow(follower: "ana", person: person, following: true)
            clock.time += 61
        }
        _ = try await store.social.setLike(account: "bob", sku: "GT-1", liking: true)
        _ = try await store.social.setFollow(follower: "bob", person: "mira", following: true)

        let all = try await store.feed.actions(ActionFilter(), before: nil, limit: 50)
        #expect(all.map(\.verb) == ["follows", "likes", "follows", "follows", "follows"])
        #expect(all.map(\.id) == all.map(\.id).sorted(by: >))
        let follows = try await store.feed.actions(ActionFilter(verb: "follows"), before: nil, limit: 2)
        #expect(follows.map(\.targetKey) == ["mira", "aiko"])
        let older = try await store.feed.actions(ActionFilter(verb: "follows"), before: follows.last?.id, limit: 2)
        #expect(older.map(\.targetKey) == ["tomas", "mira"])
        #expect(try await store.feed.actions(ActionFilter(verb: "follows"), before: older.last?.id, limit: 2).isEmpty)
        let anas = try await store.feed.actions(ActionFilter(actor: "ana"), before: nil, limit: 50)
        #expect(anas.count == 3 && anas.allSatisfy { $0.actor == "ana" })
        #expect(try await store.feed.actions(ActionFilter(verb: "likes", actor: "bob"), before: nil, limit: 50).map(\.targetKey) == ["GT-1"])
        #expect(try await store.feed.actions(ActionFilter(verb: "likes", actor: "ana"), before: nil, limit: 50).isEmpty)
    }

    @Test(arguments: Backend.allCases) func concurrentTogglesLeaveTrueCounts(_ backend: Backend) async throws {
        let store = try await backend.makeStore()
        let social = store.social
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<40 {
                group.addTask {
                    _ = try? await social.setFollow(follower: "fan\(index % 8)", person: "mira", following: index % 3 != 0)
                    _ = try? await social.setLike(account: "fan\(index % 8)", sku: "GT-1", liking: index % 2 == 0)
                }
            }
        }
        #expect(try await social.countDrifts(fix: false).isEmpty)
    }

    /// The same action within 60 s is recorded once (SPEC §6.5), however the requests race.
    @Test(arguments: Backend.allCases) func anActionRepeatedWithinAMinuteIsRecordedOnce(_ backend: Backend) async throws {
        let clock = ManualClock(1_800_000_000)
        let store = try await backend.makeStore(clock: clock)
        let social = store.social
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<10 {
                group.addTask { _ = try? await social.setFollow(follower: "ana", person: "mira", following: index % 2 == 0) }
            }
        }
        _ = try await social.setFollow(follower: "ana", person: "mira", following: false)
        _ = try await social.setFollow(follower: "ana", person: "mira", following: true)
        #expect(try await store.feed.activity(of: "ana", limit: 10).map(\.verb) == ["follows"])
        clock.time += SocialRules.dedupeWindow + 1
        _ = try await social.setFollow(follower: "ana", person: "mira", following: false)
        _ = try await social.setFollow(follower: "ana", person: "mira", following: true)
        #expect(try await store.feed.activity(of: "ana", limit: 10).map(\.verb) == ["follows", "follows"])
    }

    @Test(arguments: Backend.allCases) func theFeedShowsWhomYouFollowNewestFirstPageByPage(_ backend: Backend) async throws {
        let store = try await backend.makeStore()
        let products = (1...6).map { (sku: "P-\($0)", maker: $0 % 2 == 0 ? "mira" : "jonah") }
        #expect(try await store.social.recordPublished(products) == 6)
        #expect(try await store.social.recordPublished(products) == 0)  // once per sku
        _ = try await store.accountRules.create(username: "ana", email: "ana@example.com", name: "Ana", password: "correct horse")

        // Following nobody: everyone's actions but your own.
        let everyone = try await store.feed.page(for: "ana", before: nil, limit: 50)
        #expect(everyone.map(\.targetKey) == ["P-6", "P-5", "P-4", "P-3", "P-2", "P-1"])
        #expect(everyone.allSatisfy { !$0.actorIsShopper })

        _ = try await store.social.setFollow(follower: "ana", person: "mira", following: true)
        let first = try await store.feed.page(for: "ana", before: nil, limit: 2)
        #expect(first.map(\.targetKey) == ["P-6", "P-4"])
        let second = try await store.feed.page(for: "ana", before: first.last?.id, limit: 2)
        #expect(second.map(\.targetKey) == ["P-2"])
        // A shopper's actions reach those who follow them, named by their account, as a shopper's.
        _ = try await store.social.setFollow(follower: "bob", person: "ana", following: true)
        let bobs = try await store.feed.page(for: "bob", before: nil, limit: 10)
        #expect(bobs.map(\.verb) == ["follows", "joined"])
        #expect(bobs.allSatisfy { $0.actorIsShopper && $0.actorAccountName == "Ana" })
    }

    /// The feed of someone who follows people holds exactly their actions, through every change:
    /// earlier actions arrive with a follow, new ones as they happen, an unfollow takes them away,
    /// and following only quiet people gives an empty feed, not everyone's.
    @Test(arguments: Backend.allCases) func theFeedFollowsEveryFollowAndUnfollow(_ backend: Backend) async throws {
        let clock = ManualClock(1_800_000_000)
        let store = try await backend.makeStore(clock: clock)
        _ = try await store.social.recordPublished([(sku: "P-1", maker: "mira"), (sku: "P-2", maker: "jonah")])
        _ = try await store.social.setFollow(follower: "ana", person: "quiet", following: true)
        #expect(try await store.feed.page(for: "ana", before: nil, limit: 50).isEmpty)

        _ = try await store.social.setFollow(follower: "ana", person: "mira", following: true)
        clock.time += 61
        _ = try await store.social.setLike(account: "mira", sku: "P-2", liking: true)     // after the follow
        _ = try await store.social.setLike(account: "jonah", sku: "P-1", liking: true)    // not followed
        #expect(try await store.feed.page(for: "ana", before: nil, limit: 50).map { "\($0.actor) \($0.verb) \($0.targetKey ?? "")" }
            == ["mira likes P-2", "mira published P-1"])

        _ = try await store.social.setFollow(follower: "ana", person: "jonah", following: true)
        #expect(try await store.feed.page(for: "ana", before: nil, limit: 50).map(\.actor) == ["jonah", "mira", "jonah", "mira"])
        _ = try await store.social.setFollow(follower: "ana", person: "mira", following: false)
        #expect(try await store.feed.page(for: "ana", before: nil, limit: 50).map { "\($0.actor) \($0.verb)" }
            == ["jonah likes", "jonah published"])
        // Others' timelines are their own.
        #expect(try await store.feed.page(for: "bob", before: nil, limit: 50).count == 7)   // follows nobody: everyone's
    }
}

@Suite struct OutboxStoreTests {
    @Test(arguments: Backend.allCases) func failuresRetryAndSending(_ backend: Backend) async throws {
        let clock = ManualClock(1_800_000_000)
        let store = try await backend.makeStore(clock: clock)
        let owner = CartOwner.session("abc")
        _ = try await store.carts.add(sencha, quantity: 1, replace: false, to: owner)
        let order = try await store.orders.placeOrder(for: owner, session: nil, customer: customer, currency: "EUR") { ["GT-1": sencha][$0] }
        let message = try #require(try await store.outbox.due().first)
        #expect(message.orderNumber == order.number)
        #expect(message.recipient == customer.email)

        try await store.outbox.markFailed(message.id, error: "connection refused", retryAfter: 60, maxAttempts: 2)
        #expect(try await store.outbox.due().isEmpty)  // not before a minute
        clock.time += 61
        let again = try #require(try await store.outbox.due().first)
        #expect(again.attempts == 1)
        #expect(again.lastError == "connection refused")
        try await store.outbox.markFailed(message.id, error: "still refused", retryAfter: 60, maxAttempts: 2)
        #expect(try await store.outbox.counts() == OutboxCounts(pending: 0, failed: 1, sent: 0))
        #expect(try await store.outbox.all(status: .failed).map(\.id) == [message.id])

        #expect(try await store.outbox.retry() == 1)
        let retried = try #require(try await store.outbox.due().first)
        try await store.outbox.markSent(retried.id)
        #expect(try await store.outbox.counts() == OutboxCounts(pending: 0, failed: 0, sent: 1))
        #expect(try await store.outbox.message(id: message.id)?.sentAt == clock.time)
        #expect(try await store.outbox.retry(id: message.id) == 0)  // a sent message stays sent
    }
}
