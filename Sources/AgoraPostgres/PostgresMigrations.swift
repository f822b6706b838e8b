import Logging
import PostgresNIO

/// Versioned schema changes, recorded in `agora_migrations`. They run at every start under an
/// advisory lock, so when several servers start at once one migrates and the others wait, then
/// find nothing left to do. The tables mirror SQLite's (`AgoraSQLite/Migrations.swift`); times are
/// seconds since 1970, money is minor units.
enum PostgresMigrations {
    /// Any constant: it names the lock every Agora process takes to migrate.
    static let lockKey: Int64 = 0x4147_4F52_41  // "AGORA"

    static let migrations: [(version: Int, name: String, sql: [String])] = [
        (1, "the shop's tables", [
            """
            CREATE TABLE sessions (
                id_hash TEXT PRIMARY KEY,                -- SHA-256 of the cookie value; the value itself is never stored
                account_id BIGINT,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX sessions_expiry ON sessions(expires_at)",
            """
            CREATE TABLE cart_lines (
                cart TEXT NOT NULL,                      -- "session:<hash>" or "account:<id>"
                sku TEXT NOT NULL,
                name TEXT NOT NULL,
                unit_price_minor BIGINT NOT NULL CHECK (unit_price_minor >= 0),
                quantity INTEGER NOT NULL CHECK (quantity > 0),
                added_at BIGINT NOT NULL,
                price_changed_from_minor BIGINT,
                PRIMARY KEY (cart, sku)
            )
            """,
            """
            CREATE TABLE orders (
                id BIGSERIAL PRIMARY KEY,
                number TEXT NOT NULL UNIQUE,
                status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'paid', 'cancelled')),
                session_hash TEXT,
                account_id BIGINT,
                first_name TEXT NOT NULL,
                last_name TEXT NOT NULL,
                email TEXT NOT NULL,
                address TEXT NOT NULL,
                postal_code TEXT NOT NULL,
                city TEXT NOT NULL,
                total_minor BIGINT NOT NULL,
                currency TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX orders_by_status ON orders(status, created_at)",
            "CREATE INDEX orders_by_account ON orders(account_id, created_at)",
            """
            CREATE TABLE order_items (
                order_id BIGINT NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                sku TEXT NOT NULL,
                name TEXT NOT NULL,
                unit_price_minor BIGINT NOT NULL,
                quantity INTEGER NOT NULL CHECK (quantity > 0),
                PRIMARY KEY (order_id, sku)
            )
            """,
            """
            CREATE TABLE units_sold (
                sku TEXT PRIMARY KEY,
                units BIGINT NOT NULL CHECK (units >= 0)
            )
            """,
            """
            CREATE TABLE idempotency_keys (
                scope TEXT NOT NULL,
                key TEXT NOT NULL,
                request_hash TEXT NOT NULL,
                order_number TEXT,                       -- NULL while the first request is running
                created_at BIGINT NOT NULL,
                PRIMARY KEY (scope, key)
            )
            """,
            """
            CREATE TABLE counters (
                kind TEXT NOT NULL CHECK (kind IN ('product', 'person')),
                key TEXT NOT NULL,
                views BIGINT NOT NULL DEFAULT 0 CHECK (views >= 0),
                likes BIGINT NOT NULL DEFAULT 0 CHECK (likes >= 0),
                PRIMARY KEY (kind, key)
            )
            """,
            "CREATE INDEX counters_by_views ON counters(kind, views DESC, key)",
            "CREATE INDEX counters_by_likes ON counters(kind, likes DESC, key)",
            """
            CREATE TABLE accounts (
                id BIGSERIAL PRIMARY KEY,
                username TEXT NOT NULL,
                email TEXT NOT NULL,
                name TEXT NOT NULL,
                password_hash TEXT NOT NULL,
                is_admin BOOLEAN NOT NULL DEFAULT false,
                person_linked BOOLEAN NOT NULL DEFAULT false,
                created_at BIGINT NOT NULL
            )
            """,
            // Usernames are unique and compared without regard to case, as in SQLite's NOCASE.
            "CREATE UNIQUE INDEX accounts_by_username ON accounts(lower(username))",
            """
            CREATE TABLE login_failures (
                username TEXT NOT NULL,
                client TEXT NOT NULL DEFAULT '',
                at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX login_failures_by_username ON login_failures(lower(username), at)",
            "CREATE INDEX login_failures_by_client ON login_failures(client, at)",
            """
            CREATE TABLE actions (
                id BIGSERIAL PRIMARY KEY,
                actor TEXT NOT NULL,
                verb TEXT NOT NULL CHECK (verb IN ('joined', 'follows', 'likes', 'published')),
                target_kind TEXT,
                target_key TEXT,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX actions_by_actor ON actions(actor, id DESC)",
            """
            CREATE TABLE outbox (
                id BIGSERIAL PRIMARY KEY,
                kind TEXT NOT NULL,
                order_number TEXT NOT NULL,
                recipient TEXT NOT NULL,
                status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at BIGINT NOT NULL,
                last_error TEXT,
                created_at BIGINT NOT NULL,
                sent_at BIGINT,
                claimed_until BIGINT                     -- a server is sending it until then (SPEC §11)
            )
            """,
            "CREATE INDEX outbox_due ON outbox(status, next_attempt_at)",
            """
            CREATE TABLE follows (
                follower TEXT NOT NULL,
                followed TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (follower, followed)
            )
            """,
            "CREATE INDEX follows_by_followed ON follows(followed, follower)",
            """
            CREATE TABLE likes (
                account TEXT NOT NULL,
                sku TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (account, sku)
            )
            """,
            """
            CREATE TABLE follow_counts (
                username TEXT PRIMARY KEY,
                followers BIGINT NOT NULL DEFAULT 0 CHECK (followers >= 0),
                following BIGINT NOT NULL DEFAULT 0 CHECK (following >= 0)
            )
            """,
            "CREATE TABLE published (sku TEXT PRIMARY KEY)",
        ]),
        // Each follower's feed, written when an action happens (fan-out on write), by triggers so
        // every way rows arrive keeps it. A follow and an action of the same person take turns (an
        // advisory lock on the person), so neither misses the other's rows when servers race.
        (2, "feed timelines", [
            """
            CREATE TABLE timeline (
                viewer TEXT NOT NULL,
                action_id BIGINT NOT NULL,
                PRIMARY KEY (viewer, action_id)
            )
            """,
            """
            INSERT INTO timeline (viewer, action_id)
            SELECT f.follower, a.id FROM follows f JOIN actions a ON a.actor = f.followed ON CONFLICT DO NOTHING
            """,
            """
            CREATE FUNCTION agora_timeline_deliver() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_advisory_xact_lock(hashtext('agora timeline'), hashtext(NEW.actor));
                INSERT INTO timeline (viewer, action_id) SELECT follower, NEW.id FROM follows WHERE followed = NEW.actor
                ON CONFLICT DO NOTHING;
                RETURN NULL;
            END $$
            """,
            "CREATE TRIGGER timeline_deliver AFTER INSERT ON actions FOR EACH ROW EXECUTE FUNCTION agora_timeline_deliver()",
            """
            CREATE FUNCTION agora_timeline_follow() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_advisory_xact_lock(hashtext('agora timeline'), hashtext(NEW.followed));
                INSERT INTO timeline (viewer, action_id) SELECT NEW.follower, id FROM actions WHERE actor = NEW.followed
                ON CONFLICT DO NOTHING;
                RETURN NULL;
            END $$
            """,
            "CREATE TRIGGER timeline_follow AFTER INSERT ON follows FOR EACH ROW EXECUTE FUNCTION agora_timeline_follow()",
            """
            CREATE FUNCTION agora_timeline_unfollow() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                DELETE FROM timeline WHERE viewer = OLD.follower AND action_id IN (SELECT id FROM actions WHERE actor = OLD.followed);
                RETURN NULL;
            END $$
            """,
            "CREATE TRIGGER timeline_unfollow AFTER DELETE ON follows FOR EACH ROW EXECUTE FUNCTION agora_timeline_unfollow()",
        ]),
        // SPEC §6.8: what an order cost, part by part; orders placed before are their lines.
        (3, "shipping and tax on orders", [
            "ALTER TABLE orders ADD COLUMN country TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE orders ADD COLUMN subtotal_minor BIGINT NOT NULL DEFAULT 0",
            "ALTER TABLE orders ADD COLUMN shipping_minor BIGINT NOT NULL DEFAULT 0",
            "ALTER TABLE orders ADD COLUMN tax_minor BIGINT NOT NULL DEFAULT 0",
            "ALTER TABLE orders ADD COLUMN tax_included BOOLEAN NOT NULL DEFAULT false",
            "UPDATE orders SET subtotal_minor = total_minor",
        ]),
        // Random secrets the servers share (the key of order links), made on first use.
        (4, "secrets", [
            "CREATE TABLE secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
        ]),
        // SPEC §6.3, §6.9: the whole order life, each change recorded, and the payment provider's part.
        (5, "payments and fulfilment", [
            "ALTER TABLE orders DROP CONSTRAINT orders_status_check",
            """
            ALTER TABLE orders ADD CONSTRAINT orders_status_check
                CHECK (status IN ('pending', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded'))
            """,
            "ALTER TABLE orders ADD COLUMN carrier TEXT",
            "ALTER TABLE orders ADD COLUMN tracking TEXT",
            "ALTER TABLE orders ADD COLUMN payment_reference TEXT",
            "ALTER TABLE orders ADD COLUMN payment_attempts INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE orders ADD COLUMN payment_error TEXT",
            "CREATE INDEX orders_by_payment ON orders(payment_reference)",
            """
            CREATE TABLE order_events (
                id BIGSERIAL PRIMARY KEY,
                order_id BIGINT NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
                status TEXT NOT NULL,
                at BIGINT NOT NULL,
                note TEXT
            )
            """,
            "CREATE INDEX order_events_by_order ON order_events(order_id, id)",
            "INSERT INTO order_events (order_id, status, at) SELECT id, 'pending', created_at FROM orders ORDER BY id",
            "INSERT INTO order_events (order_id, status, at) SELECT id, status, updated_at FROM orders WHERE status <> 'pending' ORDER BY id",
            "CREATE TABLE payment_events (id TEXT PRIMARY KEY, order_number TEXT NOT NULL, received_at BIGINT NOT NULL)",
        ]),
        // The dedupe check of a new action reads only the actor's actions of the last minute.
        (6, "actions by actor and time", [
            "CREATE INDEX actions_by_actor_time ON actions(actor, created_at)",
        ]),
    ]

    /// Applies the migrations not yet recorded, each in its own transaction, holding the lock.
    static func run(on client: PostgresClient, logger: Logger) async throws {
        try await client.withConnection { connection in
            _ = try await connection.query("SELECT pg_advisory_lock(\(lockKey))", logger: logger).collect()
            do {
                _ = try await connection.query("""
                    CREATE TABLE IF NOT EXISTS agora_migrations (
                        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                    """, logger: logger).collect()
                let applied = Set(try await connection.query("SELECT version FROM agora_migrations", logger: logger)
                    .collect().map { try $0.decode(Int.self) })
                for migration in migrations where !applied.contains(migration.version) {
                    try await Transaction.run(on: connection, logger: logger) { transaction in
                        for statement in migration.sql { try await transaction.rows(PostgresQuery(unsafeSQL: statement)) }
                        try await transaction.rows("INSERT INTO agora_migrations (version, name) VALUES (\(migration.version), \(migration.name))")
                    }
                }
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(lockKey))", logger: logger).collect()
                throw error
            }
            _ = try await connection.query("SELECT pg_advisory_unlock(\(lockKey))", logger: logger).collect()
        }
    }
}
