import AgoraContent
import AgoraStore
import AgoraTheme
import Foundation

/// Feed items as JSON, template values and Atom entries, with names and links from the
/// manifests (people are shown with their profile; shoppers by name without a link).
struct FeedView {
    let catalog: Catalog
    let now: Int64

    struct Actor {
        let username: String
        let name: String
        let url: String?
        let photo: String?
        let thumbnail: ManifestThumbnail?
    }

    struct Target {
        let kind: String
        let key: String
        let name: String
        let url: String?
        /// 80×80, as the original design shows targets in the feed.
        let thumbnail: ManifestThumbnail?
    }

    func actor(_ item: FeedItem) -> Actor {
        if !item.actorIsShopper, let person = catalog.people[item.actor], person.active {
            return Actor(username: person.username, name: person.name, url: person.url, photo: person.photo,
                         thumbnail: person.thumbnail)
        }
        return Actor(username: item.actor, name: item.actorAccountName ?? item.actor, url: nil, photo: nil, thumbnail: nil)
    }

    func target(_ item: FeedItem) -> Target? {
        guard let kind = item.targetKind, let key = item.targetKey else { return nil }
        switch kind {
        case "product":
            let product = catalog.product(sku: key).flatMap { $0.available ? $0 : nil }
            return Target(kind: kind, key: key, name: catalog.product(sku: key)?.name ?? key, url: product?.url,
                          thumbnail: product?.thumbnail)
        case "person":
            let person = catalog.people[key].flatMap { $0.active ? $0 : nil }
            return Target(kind: kind, key: key, name: catalog.people[key]?.name ?? key, url: person?.url,
                          thumbnail: person?.thumbnail)
        default:
            return Target(kind: kind, key: key, name: key, url: nil, thumbnail: nil)
        }
    }

    /// `GET /api/feed` items, written by `JSONWriter` (Foundation's encoders were most of a
    /// page's cost under load).
    func encodable(_ item: FeedItem) -> FeedItemJSON {
        let actor = actor(item)
        return FeedItemJSON(
            id: item.id, verb: item.verb, created: HTTPDate.iso8601(Date(timeIntervalSince1970: TimeInterval(item.createdAt))),
            actor: .init(username: actor.username, name: actor.name, url: actor.url, thumbnail: actor.thumbnail?.url),
            target: target(item).map { .init(kind: $0.kind, key: $0.key, name: $0.name, url: $0.url, thumbnail: $0.thumbnail?.url) })
    }

    /// One item of `GET /api/feed`, as JSON.
    func json(_ item: FeedItem) -> [UInt8] {
        var writer = JSONWriter(capacity: 384)
        encodable(item).write(to: &writer)
        return writer.bytes
    }

    /// For the dashboard: "Mira Okafor published Ash-Glazed Mug · 5 minutes ago".
    func templateValues(_ item: FeedItem, placeholder: String) -> [String: Any] {
        let actor = actor(item)
        let target = target(item)
        return [
            "id": item.id, "verb": item.verb, "phrase": Self.phrase(item.verb), "ago": Self.ago(now - item.createdAt),
            "actor": ["name": actor.name, "url": actor.url ?? false, "photo_url": actor.thumbnail?.url ?? actor.photo ?? placeholder,
                      "photo_srcset": actor.thumbnail?.srcset ?? false,
                      "has_photo": actor.photo != nil, "initials": String(actor.name.prefix(1)).uppercased()] as [String: Any],
            "target": target.map { target -> [String: Any] in
                ["name": target.name, "url": target.url ?? false,
                 "thumbnail": target.thumbnail.map { ["url": $0.url, "srcset": $0.srcset, "width": $0.width, "height": $0.height] } ?? false]
            } ?? false,
        ]
    }

    static func phrase(_ verb: String) -> String {
        switch verb {
        case "joined": return "joined the shop"
        case "follows": return "started following"
        case "likes": return "likes"
        case "published": return "published"
        default: return verb
        }
    }

    static func ago(_ seconds: Int64) -> String {
        switch seconds {
        case ..<45: return "just now"
        case ..<3600: let minutes = max(1, (seconds + 30) / 60); return minutes == 1 ? "a minute ago" : "\(minutes) minutes ago"
        case ..<86_400: let hours = (seconds + 1800) / 3600; return hours == 1 ? "an hour ago" : "\(hours) hours ago"
        default: let days = (seconds + 43_200) / 86_400; return days == 1 ? "yesterday" : "\(days) days ago"
        }
    }

    /// A person's public activity as Atom.
    func atom(person: Catalog.Person, items: [FeedItem]) -> String {
        let x = Escaping.xml
        let config = catalog.config
        let selfURL = config.absoluteURL("/people/\(person.username)/activity.atom")
        let updated = items.first.map { HTTPDate.iso8601(Date(timeIntervalSince1970: TimeInterval($0.createdAt))) } ?? "1970-01-01T00:00:00Z"
        var xml = """
        <?xml version="1.0" encoding="utf-8"?>
        <feed xmlns="http://www.w3.org/2005/Atom">
          <title>\(x(person.name)) on \(x(config.title))</title>
          <link href="\(x(selfURL))" rel="self" type="application/atom+xml"/>
          <link href="\(x(config.absoluteURL(person.url)))" rel="alternate" type="text/html"/>
          <id>\(x(selfURL))</id>
          <updated>\(updated)</updated>
          <author><name>\(x(person.name))</name></author>

        """
        for item in items {
            let target = target(item)
            let title = "\(person.name) \(Self.phrase(item.verb))\(target.map { " " + $0.name } ?? "")"
            let link = target?.url.map(config.absoluteURL) ?? config.absoluteURL(person.url)
            xml += """
              <entry>
                <title>\(x(title))</title>
                <link href="\(x(link))"/>
                <id>\(x(config.absoluteURL("/people/\(person.username)/activity/\(item.id)")))</id>
                <updated>\(HTTPDate.iso8601(Date(timeIntervalSince1970: TimeInterval(item.createdAt))))</updated>
              </entry>

            """
        }
        return xml + "</feed>\n"
    }
}

/// One item of `GET /api/feed`; `url`, `thumbnail` and `target` are null, not absent.
struct FeedItemJSON {
    struct Actor {
        let username: String
        let name: String
        let url: String?
        let thumbnail: String?
    }

    struct Target {
        let kind: String
        let key: String
        let name: String
        let url: String?
        let thumbnail: String?
    }

    let id: Int64
    let verb: String
    let created: String
    let actor: Actor
    let target: Target?

    func write(to json: inout JSONWriter) {
        json.object { json in
            json.key("actor")
            json.object { json in
                json.field("name", actor.name)
                json.field("thumbnail", actor.thumbnail)
                json.field("url", actor.url)
                json.field("username", actor.username)
            }
            json.field("created", created)
            json.field("id", id)
            json.key("target")
            if let target {
                json.object { json in
                    json.field("key", target.key)
                    json.field("kind", target.kind)
                    json.field("name", target.name)
                    json.field("thumbnail", target.thumbnail)
                    json.field("url", target.url)
                }
            } else {
                json.value(nil as String?)
            }
            json.field("verb", verb)
        }
    }
}

/// `GET /api/feed`: `{"items": [...], "next": cursor or null}`.
/// Items come written already (see `FeedItemCache`).
struct FeedPageJSON: JSONWritable {
    let items: [[UInt8]]
    let next: String?
    var estimatedSize: Int { 64 + items.reduce(0) { $0 + $1.count + 1 } }

    func write(to json: inout JSONWriter) {
        json.object { json in
            json.key("items")
            json.array(items) { json, item in json.written(item) }
            json.field("next", next)
        }
    }
}
