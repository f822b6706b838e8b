import AgoraStore
import PostgresNIO

/// Follows, likes and their counts in PostgreSQL: each change, its counts and its action are one
/// transaction, so the counts stay true with any number of servers.
struct PostgresSocial: SocialStore {
    let database: PostgresDatabase

    func setFollow(follower: String, person: String, following: Bool) async throws -> (followers: Int, isFollowing: Bool) {
        let now = database.clock.now()
        return try await database.transaction { db in
            if following {
                let added = try await db.rows("""
                    INSERT INTO follows (follower, followed, created_at) VALUES (\(follower), \(person), \(now))
                    ON CONFLICT DO NOTHING RETURNING 1
                    """)
                if !added.isEmpty {
                    try await Self.bump(db, follower: follower, followed: person, by: 1)
                    try await Self.record(db, actor: follower, verb: "follows", target: ("person", person), at: now)
                }
            } else {
                let removed = try await db.rows("DELETE FROM follows WHERE follower = \(follower) AND followed = \(person) RETURNING 1")
                if !removed.isEmpty { try await Self.bump(db, follower: follower, followed: person, by: -1) }
            }
            return (try await Self.counts(db, person).followers, following)
        }
    }

    func setLike(account: String, sku: String, liking: Bool) async throws -> (likes: Int, liked: Bool) {
        let now = database.clock.now()
        return try await database.transaction { db in
            if liking {
                let added = try await db.rows("""
                    INSERT INTO likes (account, sku, created_at) VALUES (\(account), \(sku), \(now)) ON CONFLICT DO NOTHING RETURNING 1
                    """)
                if !added.isEmpty {
                    try await Self.bumpLikes(db, sku: sku, by: 1)
                    try await Self.record(db, actor: account, verb: "likes", target: ("product", sku), at: now)
                }
            } else {
                let removed = try await db.rows("DELETE FROM likes WHERE account = \(account) AND sku = \(sku) RETURNING 1")
                if !removed.isEmpty { try await Self.bumpLikes(db, sku: sku, by: -1) }
            }
            let likes = try await db.rows("SELECT likes FROM counters WHERE kind = 'product' AND key = \(sku)").first?.decode(Int.self) ?? 0
            return (likes, liking)
        }
    }

    func followCounts(_ username: String) async throws -> (followers: Int, following: Int) {
        try await Self.counts(database.rows(Self.countsQuery(username)))
    }

    func isFollowing(_ follower: String, _ person: String) async throws -> Bool {
        try await !database.rows("SELECT 1 FROM follows WHERE follower = \(follower) AND followed = \(person)").isEmpty
    }

    func hasLiked(_ account: String, _ sku: String) async throws -> Bool {
        try await !database.rows("SELECT 1 FROM likes WHERE account = \(account) AND sku = \(sku)").isEmpty
    }

    func following(_ follower: String) async throws -> [String] {
        try await database.rows("SELECT followed FROM follows WHERE follower = \(follower) ORDER BY created_at DESC, followed")
            .map { try $0.decode(String.self) }
    }

    @discardableResult
    func recordPublished(_ products: [(sku: String, maker: String)]) async throws -> Int {
        let now = database.clock.now()
        return try await database.transaction { db in
            var recorded = 0
            for product in products {
                let fresh = try await db.rows("INSERT INTO published (sku) VALUES (\(product.sku)) ON CONFLICT DO NOTHING RETURNING 1")
                guard !fresh.isEmpty else { continue }
                if try await Self.record(db, actor: product.maker, verb: "published", target: ("product", product.sku), at: now) {
                    recorded += 1
                }
            }
            return recorded
        }
    }

    /// Stores an action unless the same one was stored within the dedupe window. The advisory
    /// lock on the action's identity makes two servers' racing requests take turns, so the
    /// second sees the first's row.
    @discardableResult
    static func record(_ db: Transaction, actor: String, verb: String, target: (kind: String, key: String)?, at now: Int64) async throws -> Bool {
        let identity = [actor, verb, target?.kind ?? "", target?.key ?? ""].joined(separator: "\u{1f}")
        try await db.rows("SELECT pg_advisory_xact_lock(hashtextextended(\(identity), 0))")
        let recent = try await db.rows("""
            SELECT 1 FROM actions WHERE actor = \(actor) AND verb = \(verb) AND target_kind IS NOT DISTINCT FROM \(target?.kind)
            AND target_key IS NOT DISTINCT FROM \(target?.key) AND created_at > \(now - SocialRules.dedupeWindow) LIMIT 1
            """)
        guard recent.isEmpty else { return false }
        try await db.rows("""
            INSERT INTO actions (actor, verb, target_kind, target_key, created_at) VALUES (\(actor), \(verb), \(target?.kind), \(target?.key), \(now))
            """)
        return true
    }

    private static func bump(_ db: Transaction, follower: String, followed: String, by delta: Int) async throws {
        // The two rows in a fixed order, so that two follows between the same people never deadlock.
        for (username, column) in [(followed, "followers"), (follower, "following")].sorted(by: { $0.0 < $1.0 }) {
            try await db.rows("""
                INSERT INTO follow_counts (username, \(unescaped: column)) VALUES (\(username), GREATEST(0, \(delta)))
                ON CONFLICT (username) DO UPDATE SET \(unescaped: column) = GREATEST(0, follow_counts.\(unescaped: column) + \(delta))
                """)
        }
    }

    private static func bumpLikes(_ db: Transaction, sku: String, by delta: Int) async throws {
        try await db.rows("""
            INSERT INTO counters (kind, key, likes) VALUES ('product', \(sku), GREATEST(0, \(delta)))
            ON CONFLICT (kind, key) DO UPDATE SET likes = GREATEST(0, counters.likes + \(delta))
            """)
    }

    static func countsQuery(_ username: String) -> PostgresQuery {
        "SELECT followers, following FROM follow_counts WHERE username = \(username)"
    }

    static func counts(_ db: Transaction, _ username: String) async throws -> (followers: Int, following: Int) {
        try counts(await db.rows(countsQuery(username)))
    }

    static func counts(_ rows: [PostgresRow]) throws -> (followers: Int, following: Int) {
        guard let row = rows.first else { return (0, 0) }
        let (followers, following) = try row.decode((Int, Int).self)
        return (followers, following)
    }

    func countDrifts(fix: Bool) async throws -> [CountDrift] {
        try await database.transaction { db in
            var drifts: [CountDrift] = []
            let queries: [(String, PostgresQuery)] = [
                ("followers", """
                    SELECT u.username, COALESCE(c.followers, 0), (SELECT COUNT(*) FROM follows WHERE followed = u.username)
                    FROM (SELECT followed AS username FROM follows UNION SELECT username FROM follow_counts) u
                    LEFT JOIN follow_counts c ON c.username = u.username
                    """),
                ("following", """
                    SELECT u.username, COALESCE(c.following, 0), (SELECT COUNT(*) FROM follows WHERE follower = u.username)
                    FROM (SELECT follower AS username FROM follows UNION SELECT username FROM follow_counts) u
                    LEFT JOIN follow_counts c ON c.username = u.username
                    """),
                ("likes", """
                    SELECT u.sku, COALESCE(c.likes, 0), (SELECT COUNT(*) FROM likes WHERE sku = u.sku)
                    FROM (SELECT sku FROM likes UNION SELECT key AS sku FROM counters WHERE kind = 'product') u
                    LEFT JOIN counters c ON c.kind = 'product' AND c.key = u.sku
                    """),
            ]
            for (what, query) in queries {
                for row in try await db.rows(query) {
                    let (key, stored, actual) = try row.decode((String, Int, Int).self)
                    if stored != actual { drifts.append(CountDrift(what: what, key: key, stored: stored, actual: actual)) }
                }
            }
            if fix {
                for drift in drifts {
                    if drift.what == "likes" {
                        try await db.rows("""
                            INSERT INTO counters (kind, key, likes) VALUES ('product', \(drift.key), \(drift.actual))
                            ON CONFLICT (kind, key) DO UPDATE SET likes = excluded.likes
                            """)
                    } else {
                        try await db.rows("""
                            INSERT INTO follow_counts (username, \(unescaped: drift.what)) VALUES (\(drift.key), \(drift.actual))
                            ON CONFLICT (username) DO UPDATE SET \(unescaped: drift.what) = excluded.\(unescaped: drift.what)
                            """)
                    }
                }
            }
            return drifts.sorted { ($0.what, $0.key) < ($1.what, $1.key) }
        }
    }
}

/// The activity stream read in PostgreSQL: the same single statement as SQLite's.
struct PostgresFeed: FeedStore {
    let database: PostgresDatabase

    private static let select = """
        SELECT a.id, a.actor, a.verb, a.target_kind, a.target_key, a.created_at, acc.name,
               (a.verb <> 'published' AND acc.id IS NOT NULL AND NOT acc.person_linked) AS actor_is_shopper
        FROM actions a LEFT JOIN accounts acc ON lower(acc.username) = lower(a.actor)
        """

    /// The viewer's timeline (kept by triggers, see the migrations) when they follow someone,
    /// else everyone's actions but their own; one statement either way.
    func page(for viewer: String, before cursor: Int64?, limit: Int) async throws -> [FeedItem] {
        let limit = min(max(1, limit), FeedRules.maximumPage)
        let cursor = cursor ?? Int64.max
        return try await database.rows("""
            SELECT * FROM (
                SELECT a.id, a.actor, a.verb, a.target_kind, a.target_key, a.created_at, acc.name,
                       (a.verb <> 'published' AND acc.id IS NOT NULL AND NOT acc.person_linked) AS actor_is_shopper
                FROM timeline t JOIN actions a ON a.id = t.action_id LEFT JOIN accounts acc ON lower(acc.username) = lower(a.actor)
                WHERE t.viewer = \(viewer) AND t.action_id < \(cursor)
                ORDER BY t.action_id DESC LIMIT \(limit)
            ) followed WHERE EXISTS (SELECT 1 FROM follows WHERE follower = \(viewer))
            UNION ALL
            SELECT * FROM (
                \(unescaped: Self.select)
                WHERE a.id < \(cursor) AND a.actor <> \(viewer)
                ORDER BY a.id DESC LIMIT \(limit)
            ) everyone WHERE NOT EXISTS (SELECT 1 FROM follows WHERE follower = \(viewer))
            ORDER BY id DESC
            """).map(Self.item)
    }

    func activity(of actor: String, limit: Int) async throws -> [FeedItem] {
        try await database.rows("""
            \(unescaped: Self.select)
            WHERE a.actor = \(actor) AND (a.verb = 'published' OR acc.id IS NULL OR acc.person_linked) ORDER BY a.id DESC LIMIT \(limit)
            """).map(Self.item)
    }

    func actions(_ filter: ActionFilter, before cursor: Int64?, limit: Int) async throws -> [FeedItem] {
        let verb = filter.verb
        let actor = filter.actor
        return try await database.rows("""
            \(unescaped: Self.select)
            WHERE a.id < \(cursor ?? Int64.max) AND (\(verb)::text IS NULL OR a.verb = \(verb))
              AND (\(actor)::text IS NULL OR a.actor = \(actor))
            ORDER BY a.id DESC LIMIT \(min(max(1, limit), ActionFilter.maximumPage))
            """).map(Self.item)
    }

    static func item(_ row: PostgresRow) throws -> FeedItem {
        let (id, actor, verb, targetKind, targetKey, createdAt, accountName, isShopper) =
            try row.decode((Int64, String, String, String?, String?, Int64, String?, Bool).self)
        return FeedItem(id: id, actor: actor, actorAccountName: accountName, actorIsShopper: isShopper, verb: verb,
                        targetKind: targetKind, targetKey: targetKey, createdAt: createdAt)
    }
}
