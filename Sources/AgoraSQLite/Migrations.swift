import GRDB

/// Named, ordered schema changes; they run at every start and are recorded in `grdb_migrations`.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: sessions, carts, orders, idempotency keys") { db in
            try db.execute(sql: """
                CREATE TABLE sessions (
                    id_hash TEXT PRIMARY KEY NOT NULL,       -- SHA-256 of the cookie value; the value itself is never stored
                    account_id INTEGER,
                    created_at INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL
                );
                CREATE INDEX sessions_expiry ON sessions(expires_at);

                CREATE TABLE cart_lines (
                    cart TEXT NOT NULL,                      -- "session:<hash>" or "account:<id>"
                    sku TEXT NOT NULL,
                    name TEXT NOT NULL,
                    unit_price_minor INTEGER NOT NULL CHECK (unit_price_minor >= 0),
                    quantity INTEGER NOT NULL CHECK (quantity > 0),
                    added_at INTEGER NOT NULL,
                    PRIMARY KEY (cart, sku)
                ) WITHOUT ROWID;

                CREATE TABLE orders (
                    id INTEGER PRIMARY KEY,
                    number TEXT NOT NULL UNIQUE,
                    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'paid', 'cancelled')),
                    session_hash TEXT,
                    account_id INTEGER,
                    first_name TEXT NOT NULL,
                    last_name TEXT NOT NULL,
                    email TEXT NOT NULL,
                    address TEXT NOT NULL,
                    postal_code TEXT NOT NULL,
                    city TEXT NOT NULL,
                    total_minor INTEGER NOT NULL,
                    currency TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                );
                CREATE INDEX orders_by_status ON orders(status, created_at);
                CREATE INDEX orders_by_session ON orders(session_hash);

                CREATE TABLE order_items (
                    order_id INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
                    position INTEGER NOT NULL,               -- the line's place in the cart
                    sku TEXT NOT NULL,
                    name TEXT NOT NULL,
                    unit_price_minor INTEGER NOT NULL,
                    quantity INTEGER NOT NULL CHECK (quantity > 0),
                    PRIMARY KEY (order_id, sku)
                ) WITHOUT ROWID;

                -- Units in orders that are not cancelled, per sku: units left = manifest stock - units.
                CREATE TABLE units_sold (
                    sku TEXT PRIMARY KEY NOT NULL,
                    units INTEGER NOT NULL CHECK (units >= 0)
                ) WITHOUT ROWID;

                CREATE TABLE idempotency_keys (
                    scope TEXT NOT NULL,                     -- the session or account the key belongs to
                    key TEXT NOT NULL,
                    request_hash TEXT NOT NULL,
                    order_number TEXT,                       -- NULL while the first request is running
                    created_at INTEGER NOT NULL,
                    PRIMARY KEY (scope, key)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v2: view and like counters") { db in
            try db.execute(sql: """
                -- One row per product or person; `likes` is kept in step by the social features.
                CREATE TABLE counters (
                    kind TEXT NOT NULL CHECK (kind IN ('product', 'person')),
                    key TEXT NOT NULL,
                    views INTEGER NOT NULL DEFAULT 0 CHECK (views >= 0),
                    likes INTEGER NOT NULL DEFAULT 0 CHECK (likes >= 0),
                    PRIMARY KEY (kind, key)
                ) WITHOUT ROWID;
                -- Rankings read these in order and stop after N rows: no scan, no sort.
                CREATE INDEX counters_by_views ON counters(kind, views DESC, key);
                CREATE INDEX counters_by_likes ON counters(kind, likes DESC, key);
                """)
        }
        migrator.registerMigration("v3: accounts, login attempts, actions") { db in
            try db.execute(sql: """
                CREATE TABLE accounts (
                    id INTEGER PRIMARY KEY,
                    username TEXT NOT NULL UNIQUE COLLATE NOCASE,
                    email TEXT NOT NULL,
                    name TEXT NOT NULL,
                    password_hash TEXT NOT NULL,             -- bcrypt, cost >= 10
                    is_admin INTEGER NOT NULL DEFAULT 0,
                    created_at INTEGER NOT NULL
                );

                -- Failed logins per username, for the 5-in-15-minutes limit.
                CREATE TABLE login_failures (
                    username TEXT NOT NULL COLLATE NOCASE,
                    at INTEGER NOT NULL
                );
                CREATE INDEX login_failures_by_username ON login_failures(username, at);

                -- The activity stream (SPEC §6.5): joined, follows, likes, published.
                CREATE TABLE actions (
                    id INTEGER PRIMARY KEY,
                    actor TEXT NOT NULL,
                    verb TEXT NOT NULL CHECK (verb IN ('joined', 'follows', 'likes', 'published')),
                    target_kind TEXT,
                    target_key TEXT,
                    created_at INTEGER NOT NULL
                );
                CREATE INDEX actions_by_actor ON actions(actor, id DESC);
                """)
        }
        migrator.registerMigration("v4: mail outbox") { db in
            try db.execute(sql: """
                -- Written in the order's transaction; delivered by the worker in `agora serve`.
                CREATE TABLE outbox (
                    id INTEGER PRIMARY KEY,
                    kind TEXT NOT NULL,                      -- 'order_created'
                    order_number TEXT NOT NULL,
                    recipient TEXT NOT NULL,
                    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at INTEGER NOT NULL,
                    last_error TEXT,
                    created_at INTEGER NOT NULL,
                    sent_at INTEGER
                );
                CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
                """)
        }
        migrator.registerMigration("v5: follows, likes, social counts") { db in
            try db.execute(sql: """
                CREATE TABLE follows (
                    follower TEXT NOT NULL,                  -- an account's username
                    followed TEXT NOT NULL,                  -- a person's username
                    created_at INTEGER NOT NULL,
                    PRIMARY KEY (follower, followed)
                ) WITHOUT ROWID;
                CREATE INDEX follows_by_followed ON follows(followed, follower);

                CREATE TABLE likes (
                    account TEXT NOT NULL,
                    sku TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    PRIMARY KEY (account, sku)
                ) WITHOUT ROWID;

                -- Denormalized, kept in step in the same transaction as each change.
                CREATE TABLE follow_counts (
                    username TEXT PRIMARY KEY NOT NULL,
                    followers INTEGER NOT NULL DEFAULT 0 CHECK (followers >= 0),
                    following INTEGER NOT NULL DEFAULT 0 CHECK (following >= 0)
                ) WITHOUT ROWID;

                -- Products whose `published` action was recorded (once per sku).
                CREATE TABLE published (sku TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v6: login failures per client, accounts linked to profiles, cart price changes") { db in
            try db.execute(sql: """
                -- The client address of each failure (SPEC §6.11): limits per username and client,
                -- and per client across usernames.
                ALTER TABLE login_failures ADD COLUMN client TEXT NOT NULL DEFAULT '';
                CREATE INDEX login_failures_by_client ON login_failures(client, at);

                -- 1 when the owner made this account a maker's profile (`agora users create|link`);
                -- a shopper who registered a username that later names a profile stays a shopper.
                ALTER TABLE accounts ADD COLUMN person_linked INTEGER NOT NULL DEFAULT 0;

                -- The unit price a line had before its last quantity change moved it to the current price.
                ALTER TABLE cart_lines ADD COLUMN price_changed_from_minor INTEGER;
                """)
        }
        migrator.registerMigration("v7: feed timelines") { db in
            try db.execute(sql: """
                -- Each follower's feed, written when an action happens (fan-out on write): a page is one
                -- index range, however many people the reader follows and however many act. Triggers
                -- keep it, so every way rows arrive (the server, agora db copy, scripts) keeps it too.
                CREATE TABLE timeline (
                    viewer TEXT NOT NULL,
                    action_id INTEGER NOT NULL,
                    PRIMARY KEY (viewer, action_id)
                ) WITHOUT ROWID;
                INSERT INTO timeline (viewer, action_id) SELECT f.follower, a.id FROM follows f JOIN actions a ON a.actor = f.followed;
                -- A new action reaches its actor's followers.
                CREATE TRIGGER timeline_deliver AFTER INSERT ON actions BEGIN
                    INSERT OR IGNORE INTO timeline (viewer, action_id) SELECT follower, NEW.id FROM follows WHERE followed = NEW.actor;
                END;
                -- A new follow brings the person's earlier actions in; an unfollow takes them out.
                CREATE TRIGGER timeline_follow AFTER INSERT ON follows BEGIN
                    INSERT OR IGNORE INTO timeline (viewer, action_id) SELECT NEW.follower, id FROM actions WHERE actor = NEW.followed;
                END;
                CREATE TRIGGER timeline_unfollow AFTER DELETE ON follows BEGIN
                    DELETE FROM timeline WHERE viewer = OLD.follower
                        AND action_id IN (SELECT id FROM actions WHERE actor = OLD.followed);
                END;
                """)
        }
        migrator.registerMigration("v8: shipping and tax on orders") { db in
            try db.execute(sql: """
                -- SPEC §6.8: what an order cost, part by part; orders placed before are their lines.
                ALTER TABLE orders ADD COLUMN country TEXT NOT NULL DEFAULT '';
                ALTER TABLE orders ADD COLUMN subtotal_minor INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE orders ADD COLUMN shipping_minor INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE orders ADD COLUMN tax_minor INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE orders ADD COLUMN tax_included INTEGER NOT NULL DEFAULT 0;
                UPDATE orders SET subtotal_minor = total_minor;
                """)
        }
        migrator.registerMigration("v9: secrets") { db in
            try db.execute(sql: """
                -- Random secrets the server keeps (the key of order links), made on first use.
                CREATE TABLE secrets (name TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v10: payments and fulfilment") { db in
            // SQLite cannot change a CHECK constraint in place: the orders table is rebuilt with the
            // statuses of SPEC §6.3 (GRDB runs a migration with foreign keys off and checks them after).
            try db.execute(sql: """
                CREATE TABLE orders_v10 (
                    id INTEGER PRIMARY KEY,
                    number TEXT NOT NULL UNIQUE,
                    status TEXT NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded')),
                    session_hash TEXT,
                    account_id INTEGER,
                    first_name TEXT NOT NULL,
                    last_name TEXT NOT NULL,
                    email TEXT NOT NULL,
                    address TEXT NOT NULL,
                    postal_code TEXT NOT NULL,
                    city TEXT NOT NULL,
                    total_minor INTEGER NOT NULL,
                    currency TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    country TEXT NOT NULL DEFAULT '',
                    subtotal_minor INTEGER NOT NULL DEFAULT 0,
                    shipping_minor INTEGER NOT NULL DEFAULT 0,
                    tax_minor INTEGER NOT NULL DEFAULT 0,
                    tax_included INTEGER NOT NULL DEFAULT 0,
                    carrier TEXT,
                    tracking TEXT,
                    payment_reference TEXT,                  -- the provider's id of the current payment (a PaymentIntent)
                    payment_attempts INTEGER NOT NULL DEFAULT 0,
                    payment_error TEXT                       -- why the last attempt failed, shown to the customer
                );
                INSERT INTO orders_v10 (id, number, status, session_hash, account_id, first_name, last_name, email, address,
                                        postal_code, city, total_minor, currency, created_at, updated_at, country, subtotal_minor,
                                        shipping_minor, tax_minor, tax_included)
                    SELECT id, number, status, session_hash, account_id, first_name, last_name, email, address, postal_code, city,
                           total_minor, currency, created_at, updated_at, country, subtotal_minor, shipping_minor, tax_minor,
                           tax_included FROM orders;
                DROP TABLE orders;
                ALTER TABLE orders_v10 RENAME TO orders;
                CREATE INDEX orders_by_status ON orders(status, created_at);
                CREATE INDEX orders_by_session ON orders(session_hash);
                CREATE INDEX orders_by_payment ON orders(payment_reference);

                -- Every change of an order's status, with its time (SPEC §6.9); orders placed before
                -- get their creation and, when they moved on, their last change.
                CREATE TABLE order_events (
                    id INTEGER PRIMARY KEY,
                    order_id INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
                    status TEXT NOT NULL,
                    at INTEGER NOT NULL,
                    note TEXT
                );
                CREATE INDEX order_events_by_order ON order_events(order_id, id);
                INSERT INTO order_events (order_id, status, at) SELECT id, 'pending', created_at FROM orders;
                INSERT INTO order_events (order_id, status, at) SELECT id, status, updated_at FROM orders WHERE status != 'pending';

                -- Payment provider events already processed: each id once, however often delivered.
                CREATE TABLE payment_events (
                    id TEXT PRIMARY KEY NOT NULL,
                    order_number TEXT NOT NULL,
                    received_at INTEGER NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v11: actions by actor and time") { db in
            try db.execute(sql: """
                -- The dedupe check of a new action (SocialRules.dedupeWindow) reads only the actor's
                -- actions of the last minute; by `actions_by_actor` it read all of them whenever
                -- none matched, inside the group commit, so a prolific actor slowed every write.
                CREATE INDEX actions_by_actor_time ON actions(actor, created_at);
                """)
        }
        return migrator
    }
}
