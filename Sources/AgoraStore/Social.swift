/// One action in a feed.
public struct FeedItem: Sendable, Equatable {
    public let id: Int64
    public let actor: String
    /// The actor's account name, when the actor has an account.
    public let actorAccountName: String?
    /// The actor is a shopper's account, not linked to the profile of the same username (if
    /// any): shown by their own name, never as that maker (SPEC §6.11).
    public let actorIsShopper: Bool
    public let verb: String
    public let targetKind: String?
    public let targetKey: String?
    public let createdAt: Int64

    public init(id: Int64, actor: String, actorAccountName: String?, actorIsShopper: Bool, verb: String, targetKind: String?,
                targetKey: String?, createdAt: Int64) {
        self.id = id
        self.actor = actor
        self.actorAccountName = actorAccountName
        self.actorIsShopper = actorIsShopper
        self.verb = verb
        self.targetKind = targetKind
        self.targetKey = targetKey
        self.createdAt = createdAt
    }
}

/// A denormalized count that differs from the rows it summarises (`agora doctor`).
public struct CountDrift: Sendable, Equatable, CustomStringConvertible {
    public let what: String
    public let key: String
    public let stored: Int
    public let actual: Int

    public init(what: String, key: String, stored: Int, actual: Int) {
        self.what = what
        self.key = key
        self.stored = stored
        self.actual = actual
    }

    public var description: String { "\(what) of \(key): stored \(stored), actual \(actual)" }
}

/// Follows, likes and their denormalized counts (SPEC §6.4). Every change and its counts are one
/// transaction; follow and like are idempotent, so toggling never drifts the counts.
public protocol SocialStore: Sendable {
    /// Follows (or unfollows) a person; their follower count and whether the follow stands. The
    /// caller checks that the person exists, is active and is not the follower.
    func setFollow(follower: String, person: String, following: Bool) async throws -> (followers: Int, isFollowing: Bool)
    /// Likes (or unlikes) a product; its like count and whether the like stands.
    func setLike(account: String, sku: String, liking: Bool) async throws -> (likes: Int, liked: Bool)
    func followCounts(_ username: String) async throws -> (followers: Int, following: Int)
    func isFollowing(_ follower: String, _ person: String) async throws -> Bool
    func hasLiked(_ account: String, _ sku: String) async throws -> Bool
    /// The people an account follows, most recent first.
    func following(_ follower: String) async throws -> [String]
    /// Records `published` by each maker for skus seen for the first time (at start and reload).
    @discardableResult func recordPublished(_ products: [(sku: String, maker: String)]) async throws -> Int
    /// Every count that differs from its source rows; with `fix`, corrected in one transaction.
    func countDrifts(fix: Bool) async throws -> [CountDrift]
}

public enum SocialRules {
    /// The same actor, verb and target within this many seconds is stored once (SPEC §6.5).
    public static let dedupeWindow: Int64 = 60
}

/// The activity stream read (SPEC §6.5).
public protocol FeedStore: Sendable {
    /// The actions of the people `viewer` follows, newest first, or, if they follow nobody,
    /// everyone's but their own; keyset pages on the action id. One query per page.
    func page(for viewer: String, before cursor: Int64?, limit: Int) async throws -> [FeedItem]
    /// Actions by one actor, newest first (their public activity).
    func activity(of actor: String, limit: Int) async throws -> [FeedItem]
    /// Every action, newest first, optionally of one verb and one actor, for the owner
    /// (`/admin/actions/`); keyset pages on the action id.
    func actions(_ filter: ActionFilter, before cursor: Int64?, limit: Int) async throws -> [FeedItem]
}

/// Which actions the owner wants to see.
public struct ActionFilter: Sendable, Equatable {
    /// The verbs the stream records (SPEC §6.5).
    public static let verbs = ["joined", "follows", "likes", "published"]
    /// The most actions one call returns.
    public static let maximumPage = 200

    public var verb: String?
    public var actor: String?

    public init(verb: String? = nil, actor: String? = nil) {
        self.verb = verb
        self.actor = actor
    }
}

public enum FeedRules {
    public static let maximumPage = 50
}

/// What a counter belongs to.
public enum CounterKind: String, Sendable, CaseIterable {
    case product, person
}

public struct RankingEntry: Sendable, Equatable {
    public let key: String
    public let views: Int
    public let likes: Int

    public init(key: String, views: Int, likes: Int) {
        self.key = key
        self.views = views
        self.likes = likes
    }
}

public enum RankingOrder: String, Sendable {
    case views, likes
}

/// View counters (SPEC §6.6) and rankings.
public protocol CounterStore: Sendable {
    /// Adds one view and returns the new total, once it is durable (like Redis `INCR`).
    func increment(_ kind: CounterKind, _ key: String) async throws -> Int
    func counts(_ kind: CounterKind, _ key: String) async throws -> (views: Int, likes: Int)
    /// The top entries by views or likes, read in index order; `include` drops keys no longer
    /// in the catalog, and reading goes on past them until `limit` entries are found.
    func ranking(_ kind: CounterKind, by order: RankingOrder, limit: Int,
                 include: @escaping @Sendable (String) -> Bool) async throws -> [RankingEntry]
}
