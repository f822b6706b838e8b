import AgoraStore
import GRDB

/// Follows, likes and their counts in SQLite: each change and its counts are one group-committed
/// write, so the counts are always the true ones.
struct SQLiteSocial: SocialStore {
    let database: SQLiteDatabase

    init(_ database: SQLiteDatabase) {
        self.database = database
    }

    func setFollow(follower: String, person: String, following: Bool) async throws -> (followers: Int, isFollowing: Bool) {
        let now = database.clock.now()
        return try await database.write { db in
            if following {
                try db.run(sql: "INSERT OR IGNORE INTO follows (follower, followed, created_at) VALUES (?, ?, ?)",
                           arguments: [follower, person, now])
                if db.changesCount > 0 {
                    let followers = try Self.bump(db, follower: follower, followed: person, by: 1)
                    try Self.record(db, actor: follower, verb: "follows", target: ("person", person), at: now)
                    return (followers, true)
                }
            } else {
                try db.run(sql: "DELETE FROM follows WHERE follower = ? AND followed = ?", arguments: [follower, person])
                if db.changesCount > 0 { return (try Self.bump(db, follower: follower, followed: person, by: -1), false) }
            }
            return (try Self.counts(db, person).followers, following)  // nothing changed
        }
    }

    func setLike(account: String, sku: String, liking: Bool) async throws -> (likes: Int, liked: Bool) {
        let now = database.clock.now()
        return try await database.write { db in
            if liking {
                try db.run(sql: "INSERT OR IGNORE INTO likes (account, sku, created_at) VALUES (?, ?, ?)", arguments: [account, sku, now])
                if db.changesCount > 0 {
                    try Self.bumpLikes(db, sku: sku, by: 1)
                    try Self.record(db, actor: account, verb: "likes", target: ("product", sku), at: now)
                }
            } else {
                try db.run(sql: "DELETE FROM likes WHERE account = ? AND sku = ?", arguments: [account, sku])
                if db.changesCount > 0 { try Self.bumpLikes(db, sku: sku, by: -1) }
            }
            return (try Int.fetchOne(db.cachedStatement(sql: "SELECT likes FROM counters WHERE kind = 'product' AND key = ?"), arguments: [sku]) ?? 0, liking)
        }
    }

    func followCounts(_ username: String) async throws -> (followers: Int, following: Int) {
        try await database.read { db in try Self.counts(db, username) }
    }

    func isFollowing(_ follower: String, _ person: String) async throws -> Bool {
        try await database.read { db in
            try Int.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM follows WHERE follower = ? AND followed = ?"), arguments: [follower, person]) != nil
        }
    }

    func hasLiked(_ account: String, _ sku: String) async throws -> Bool {
        try await database.read { db in
            try Int.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM likes WHERE account = ? AND sku = ?"), arguments: [account, sku]) != nil
        }
    }

    func following(_ follower: String) async throws -> [String] {
        try await database.read { db in
            try String.fetchAll(db.cachedStatement(sql: "SELECT followed FROM follows WHERE follower = ? ORDER BY created_at DESC, followed"),
                                arguments: [follower])
        }
    }

    @discardableResult
    func recordPublished(_ products: [(sku: String, maker: String)]) async throws -> Int {
        let now = database.clock.now()
        return try await database.pool.write { db in
            var recorded = 0
            for product in products {
                try db.run(sql: "INSERT OR IGNORE INTO published (sku) VALUES (?)", arguments: [product.sku])
                guard db.changesCount > 0 else { continue }
                if try Self.record(db, actor: product.maker, verb: "published", target: ("product", product.sku), at: now) { recorded += 1 }
            }
            return recorded
        }
    }

    /// Stores an action unless the same one was stored within the dedupe window, in one statement.
    /// Inside a write transaction, so two racing requests cannot both store it.
    @discardableResult
    static func record(_ db: Database, actor: String, verb: String, target: (kind: String, key: String)?, at now: Int64) throws -> Bool {
        try db.run(sql: recordSQL, arguments: [actor, verb, target?.kind, target?.key, now, now - SocialRules.dedupeWindow])
        return db.changesCount > 0
    }

    /// The new action unless the same one is among the actor's actions of the dedupe window (read
    /// by `actions_by_actor_time`: only that window, however many actions the actor has).
    static let recordSQL = """
        INSERT INTO actions (actor, verb, target_kind, target_key, created_at) SELECT ?1, ?2, ?3, ?4, ?5
        WHERE NOT EXISTS (SELECT 1 FROM actions WHERE actor = ?1 AND verb = ?2 AND target_kind IS ?3 AND target_key IS ?4 AND created_at > ?6)
        """

    /// Moves both counts of a follow by `delta`; returns the followed person's new follower count.
    private static func bump(_ db: Database, follower: String, followed: String, by delta: Int) throws -> Int {
        let followers = try Int.fetchOne(db.cachedStatement(sql: """
            INSERT INTO follow_counts (username, followers) VALUES (?, MAX(0, ?))
            ON CONFLICT (username) DO UPDATE SET followers = MAX(0, followers + ?)
            RETURNING followers
            """), arguments: [followed, delta, delta]) ?? 0
        try db.run(sql: """
            INSERT INTO follow_counts (username, following) VALUES (?, MAX(0, ?))
            ON CONFLICT (username) DO UPDATE SET following = MAX(0, following + ?)
            """, arguments: [follower, delta, delta])
        return followers
    }

    private static func bumpLikes(_ db: Database, sku: String, by delta: Int) throws {
        try db.run(sql: """
            INSERT INTO counters (kind, key, likes) VALUES ('product', ?, MAX(0, ?))
            ON CONFLICT (kind, key) DO UPDATE SET likes = MAX(0, likes + ?)
            """, arguments: [sku, delta, delta])
    }

    static func counts(_ db: Database, _ username: String) throws -> (followers: Int, following: Int) {
        let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT followers, following FROM follow_counts WHERE username = ?"), arguments: [username])
        return (row?[0] ?? 0, row?[1] ?? 0)
    }

    /// Every count that differs from its source rows; with `fix`, corrected in one transaction.
    func countDrifts(fix: Bool) async throws -> [CountDrift] {
        try await database.pool.write { db in
            var drifts: [CountDrift] = []
            let followers = try Row.fetchAll(db, sql: """
                SELECT u.username AS key, COALESCE(c.followers, 0) AS stored, (SELECT COUNT(*) FROM follows WHERE followed = u.username) AS actual
                FROM (SELECT followed AS username FROM follows UNION SELECT username FROM follow_counts) u
                LEFT JOIN follow_counts c ON c.username = u.username
                """)
            let following = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT u.username AS key, COALESCE(c.following, 0) AS stored, (SELECT COUNT(*) FROM follows WHERE follower = u.username) AS actual
                FROM (SELECT follower AS username FROM follows UNION SELECT username FROM follow_counts) u
                LEFT JOIN follow_counts c ON c.username = u.username
                """))
            let likes = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT u.sku AS key, COALESCE(c.likes, 0) AS stored, (SELECT COUNT(*) FROM likes WHERE sku = u.sku) AS actual
                FROM (SELECT sku FROM likes UNION SELECT key AS sku FROM counters WHERE kind = 'product') u
                LEFT JOIN counters c ON c.kind = 'product' AND c.key = u.sku
                """))
            for (what, rows) in [("followers", followers), ("following", following), ("likes", likes)] {
                for row in rows where (row["stored"] as Int) != (row["actual"] as Int) {
                    drifts.append(CountDrift(what: what, key: row["key"], stored: row["stored"], actual: row["actual"]))
                }
            }
            if fix {
                for drift in drifts {
                    switch drift.what {
                    case "likes":
                        try db.run(sql: """
                            INSERT INTO counters (kind, key, likes) VALUES ('product', ?, ?)
                            ON CONFLICT (kind, key) DO UPDATE SET likes = excluded.likes
                            """, arguments: [drift.key, drift.actual])
                    default:
                        try db.run(sql: """
                            INSERT INTO follow_counts (username, \(drift.what)) VALUES (?, ?)
                            ON CONFLICT (username) DO UPDATE SET \(drift.what) = excluded.\(drift.what)
                            """, arguments: [drift.key, drift.actual])
                    }
                }
            }
            return drifts.sorted { ($0.what, $0.key) < ($1.what, $1.key) }
        }
    }
}
