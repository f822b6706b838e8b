import AgoraStore
import GRDB

/// The activity stream read (SPEC §6.5): the actions of the people you follow, newest first, or,
/// if you follow nobody, everyone's actions but your own. Keyset pagination on the action id,
/// so a page never repeats or skips items while new actions arrive.
///
/// The actions of the people you follow are kept in your `timeline` as they happen (fan-out on
/// write, by triggers in the migration): an action is delivered to its actor's followers in the
/// transaction that records it, a follow copies the person's earlier actions in, an unfollow takes
/// them out. A page is then one range of the timeline's primary key, whatever the number of
/// people followed or actions stored.
struct SQLiteFeed: FeedStore {
    let database: SQLiteDatabase

    init(_ database: SQLiteDatabase) {
        self.database = database
    }

    func page(for viewer: String, before cursor: Int64?, limit: Int) async throws -> [FeedItem] {
        try await database.read { db in try Self.page(for: viewer, before: cursor, limit: limit, db) }
    }

    func activity(of actor: String, limit: Int) async throws -> [FeedItem] {
        try await database.read { db in
            // A shopper who shares the maker's username is not the maker: their actions stay off the profile
            // (the maker's own `published` actions come from the catalog, not from an account).
            try Self.items(db.cachedStatement(sql: Self.select + """
                 WHERE a.actor = ? AND (a.verb = 'published' OR acc.id IS NULL OR acc.person_linked = 1) ORDER BY a.id DESC LIMIT ?
                """), [actor, limit])
        }
    }

    func actions(_ filter: ActionFilter, before cursor: Int64?, limit: Int) async throws -> [FeedItem] {
        try await database.read { db in
            // An absent filter is a NULL argument, so one cached statement serves every combination.
            try Self.items(db.cachedStatement(sql: Self.select + """
                 WHERE a.id < ? AND (? IS NULL OR a.verb = ?) AND (? IS NULL OR a.actor = ?) ORDER BY a.id DESC LIMIT ?
                """), [cursor ?? Int64.max, filter.verb, filter.verb, filter.actor, filter.actor, min(max(1, limit), ActionFilter.maximumPage)])
        }
    }

    /// A page: the viewer's timeline when they follow someone (one index range, the actions
    /// looked up by id), else everyone's actions but their own, newest first. The timeline holds
    /// rows only for people followed now, so a page with items says the viewer follows someone
    /// and needs no statement of its own to ask.
    static func page(for viewer: String, before cursor: Int64?, limit: Int, _ db: Database) throws -> [FeedItem] {
        let limit = min(max(1, limit), FeedRules.maximumPage)
        let timeline = try items(db.cachedStatement(sql: timelinePage), [viewer, cursor ?? Int64.max, limit])
        guard timeline.isEmpty else { return timeline }
        let follows = try Int.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM follows WHERE follower = ? LIMIT 1"),
                                       arguments: [viewer]) != nil
        guard !follows else { return [] }
        return try items(db.cachedStatement(sql: select + " WHERE a.id < ? AND a.actor <> ? ORDER BY a.id DESC LIMIT ?"),
                         [cursor ?? Int64.max, viewer, limit])
    }

    private static let timelinePage = """
        SELECT a.id, a.actor, a.verb, a.target_kind, a.target_key, a.created_at, acc.name AS account_name,
               a.verb <> 'published' AND acc.id IS NOT NULL AND acc.person_linked = 0 AS actor_is_shopper
        FROM timeline t JOIN actions a ON a.id = t.action_id LEFT JOIN accounts acc ON acc.username = a.actor
        WHERE t.viewer = ? AND t.action_id < ?
        ORDER BY t.action_id DESC LIMIT ?
        """

    /// SQLite's plan for a page of a timeline, for tests that it reads an index range.
    func plan(for viewer: String) throws -> String {
        try database.pool.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + Self.timelinePage, arguments: [viewer, Int64.max, 10])
                .map { $0["detail"] as String }.joined(separator: "\n")
        }
    }

    private static let select = """
        SELECT a.id, a.actor, a.verb, a.target_kind, a.target_key, a.created_at, acc.name AS account_name,
               a.verb <> 'published' AND acc.id IS NOT NULL AND acc.person_linked = 0 AS actor_is_shopper
        FROM actions a LEFT JOIN accounts acc ON acc.username = a.actor
        """

    /// By position, in `select`'s order: looking columns up by name was a tenth of a page's cost.
    static func item(_ row: Row) -> FeedItem {
        FeedItem(id: row[0], actor: row[1], actorAccountName: row[6], actorIsShopper: row[7], verb: row[2],
                 targetKind: row[3], targetKey: row[4], createdAt: row[5])
    }

    /// Items straight from the statement's cursor, without copying each row first.
    static func items(_ statement: Statement, _ arguments: StatementArguments) throws -> [FeedItem] {
        try Array(Row.fetchCursor(statement, arguments: arguments).map(item))
    }
}
