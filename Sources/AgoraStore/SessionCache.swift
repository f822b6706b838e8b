/// Sessions found in the last few seconds, so a visitor's burst of requests (a page, its cart
/// summary, a follow) reads the session once instead of once per request: a logged-in request
/// then makes one trip to the database's threads instead of two (BENCHMARKS.md).
///
/// It stays correct because every change a process makes to a session or an account goes
/// through its store, which tells the cache at once: logout and login rotation forget the old
/// session, account changes forget every session. What it cannot hear is another process
/// changing an account (`agora users set-admin` while the server runs): an entry is trusted for
/// `freshness` seconds after it was read, so such a change reaches a logged-in visitor within
/// that time. A store shared by several servers (PostgreSQL) must not use it without telling
/// every process.
public final class SessionCache: Sendable {
    /// Seconds an entry is trusted after it was read from the database.
    public static let freshness: Int64 = 5
    /// Entries kept at most; when full, the cache starts over (reads refill it).
    public static let capacity = 10_000

    private struct Entry {
        let session: Session
        let readAt: Int64
    }

    private struct State {
        var entries: [String: Entry] = [:]
        /// Bumped by every forget, so that a read which started before a logout cannot put the
        /// ended session back when it finishes after it.
        var generation: UInt64 = 0
    }

    private let state = Locked(State())

    public init() {}

    /// The cached live session for a cookie's hash, if it was read recently.
    public func session(idHash: String, now: Int64) -> Session? {
        state.withLock { state in
            guard let entry = state.entries[idHash] else { return nil }
            guard now - entry.readAt < Self.freshness, entry.session.expiresAt > now else {
                state.entries[idHash] = nil
                return nil
            }
            return entry.session
        }
    }

    /// Taken before reading a session from the database, and given back to `remember`.
    public var generation: UInt64 {
        state.withLock { $0.generation }
    }

    /// Keeps a session just read from the database, unless something was forgotten since the
    /// read began (`generation`).
    public func remember(_ session: Session, readAt now: Int64, generation: UInt64) {
        state.withLock { state in
            guard state.generation == generation else { return }
            if state.entries.count >= Self.capacity, state.entries[session.idHash] == nil {
                state.entries.removeAll(keepingCapacity: true)
            }
            state.entries[session.idHash] = Entry(session: session, readAt: now)
        }
    }

    /// A session that ended (logout) or was replaced (login), or changed (extended).
    public func forget(idHash: String) {
        state.withLock { state in
            state.entries[idHash] = nil
            state.generation &+= 1
        }
    }

    /// Account changes reach every session that carries the account.
    public func forgetAll() {
        state.withLock { state in
            state.entries.removeAll(keepingCapacity: true)
            state.generation &+= 1
        }
    }
}
