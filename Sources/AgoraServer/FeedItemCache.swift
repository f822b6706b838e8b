import AgoraStore

/// Each feed item's JSON, kept by action id. An action never changes once recorded, so its item
/// stays right as long as what it is written from stays the same: the row as read (which carries
/// the actor's account name and whether the actor is a shopper) and the catalog's names, links
/// and thumbnails. Both are part of an entry and compared on every hit, so a rename or a reload
/// is seen at once; nothing has to be told to forget.
///
/// Writing an item (names looked up in the catalog, the date formatted, the text escaped) was a
/// tenth of a feed page's CPU under load; the statement that reads the page is unchanged.
final class FeedItemCache: Sendable {
    private struct Entry {
        let item: FeedItem
        let generation: UInt64
        let json: [UInt8]
    }

    private let entries = Locked<[Int64: Entry]>([:])
    /// About 400 bytes an entry; when full, the cache starts again empty (the items a server is
    /// asked for are mostly the newest, which come back at once).
    let capacity: Int

    init(capacity: Int = 20_000) {
        self.capacity = capacity
    }

    /// The JSON of each item, written by `render` for those not kept (or kept from another catalog
    /// or another version of the row).
    func json(for items: [FeedItem], catalog generation: UInt64, render: (FeedItem) -> [UInt8]) -> [[UInt8]] {
        var found: [[UInt8]?] = entries.withLock { entries in
            items.map { item in
                guard let entry = entries[item.id], entry.generation == generation, entry.item == item else { return nil }
                return entry.json
            }
        }
        var fresh: [Entry] = []
        for index in items.indices where found[index] == nil {
            let json = render(items[index])
            found[index] = json
            fresh.append(Entry(item: items[index], generation: generation, json: json))
        }
        if !fresh.isEmpty {
            entries.withLock { entries in
                if entries.count + fresh.count > capacity { entries.removeAll(keepingCapacity: true) }
                for entry in fresh { entries[entry.item.id] = entry }
            }
        }
        return found.map { $0 ?? [] }
    }

    var count: Int { entries.withLock { $0.count } }
}
