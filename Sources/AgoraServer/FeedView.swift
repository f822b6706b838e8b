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
    }

    func actor(_ item: FeedItem) -> Actor {
        if let person = catalog.people[item.actor], person.active {
            return Actor(username: person.username, name: person.name, url: person.url, photo: person.photo)
        }
        return Actor(username: item.actor, name: item.actorAccountName ?? item.actor, url: nil, photo: nil)
    }

    func target(_ item: FeedItem) -> (kind: String, key: String, name: String, url: String?)? {
        guard let kind = item.targetKind, let key = item.targetKey else { return nil }
        switch kind {
        case "product":
            let product = catalog.product(sku: key)
            return (kind, key, product?.name ?? key, product.flatMap { $0.available ? $0.url : nil })
        case "person":
            let person = catalog.people[key]
            return (kind, key, person?.name ?? key, person.flatMap { $0.active ? $0.url : nil })
        default:
            return (kind, key, key, nil)
        }
    }

    func json(_ item: FeedItem) -> [String: Any] {
        let actor = actor(item)
        var value: [String: Any] = [
            "id": item.id, "verb": item.verb, "created": HTTPDate.iso8601(Date(timeIntervalSince1970: TimeInterval(item.createdAt))),
            "actor": ["username": actor.username, "name": actor.name, "url": actor.url as Any? ?? NSNull()] as [String: Any],
        ]
        if let target = target(item) {
            value["target"] = ["kind": target.kind, "key": target.key, "name": target.name, "url": target.url as Any? ?? NSNull()] as [String: Any]
        } else {
            value["target"] = NSNull()
        }
        return value
    }

    /// For the dashboard: "Mira Okafor published Ash-Glazed Mug · 5 minutes ago".
    func templateValues(_ item: FeedItem, placeholder: String) -> [String: Any] {
        let actor = actor(item)
        let target = target(item)
        return [
            "id": item.id, "verb": item.verb, "phrase": Self.phrase(item.verb), "ago": Self.ago(now - item.createdAt),
            "actor": ["name": actor.name, "url": actor.url ?? false, "photo_url": actor.photo ?? placeholder,
                      "has_photo": actor.photo != nil, "initials": String(actor.name.prefix(1)).uppercased()] as [String: Any],
            "target": target.map { ["name": $0.name, "url": $0.url ?? false] as [String: Any] } ?? false,
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
