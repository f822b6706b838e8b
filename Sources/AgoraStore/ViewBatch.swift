/// View increments committed together (SPEC §6.6): grouped by counter, so a batch writes each
/// counter once, and handed back in arrival order, so that concurrent increments of one counter
/// get distinct totals, as Redis `INCR` would give them. Shared by every backend's view counter.
public struct ViewBatch: Sendable {
    public struct Group: Sendable {
        public let kind: CounterKind
        public let key: String
        public let count: Int
    }

    /// One per counter, in the order each first arrived.
    public let groups: [Group]
    /// For each increment, its group's index.
    private let membership: [Int]

    public init(_ increments: [(kind: CounterKind, key: String)]) {
        var index: [String: Int] = [:]
        var groups: [(kind: CounterKind, key: String, count: Int)] = []
        var membership: [Int] = []
        for increment in increments {
            let id = increment.kind.rawValue + "\u{0}" + increment.key
            let position = index[id] ?? {
                groups.append((increment.kind, increment.key, 0))
                index[id] = groups.count - 1
                return groups.count - 1
            }()
            groups[position].count += 1
            membership.append(position)
        }
        self.groups = groups.map { Group(kind: $0.kind, key: $0.key, count: $0.count) }
        self.membership = membership
    }

    /// Each increment's total, given each group's total after the batch: the last increment of
    /// a counter gets the final total, the one before it one less, and so on.
    public func totals(after finals: [Int]) -> [Int] {
        var handed = [Int](repeating: 0, count: groups.count)
        return membership.map { group in
            handed[group] += 1
            return finals[group] - groups[group].count + handed[group]
        }
    }
}
