import Foundation

/// `agora new <kind> <slug>` (SPEC §6.10): a new content file from an archetype, the site's
/// `archetypes/<kind>.md`, else the theme's, else the one built in here.
public enum ContentKind: String, CaseIterable, Sendable {
    case product, person, page, category

    /// The content folder the file goes into.
    public var folder: String {
        switch self {
        case .product: return "products"
        case .person: return "people"
        case .page: return "pages"
        case .category: return "categories"
        }
    }

    /// Why `slug` cannot name a file of this kind, or nil when it can.
    public func problem(with slug: String) -> String? {
        switch self {
        case .person:
            return Identifier.isUsername(slug) ? nil : "\"\(slug)\" is not a username ([a-z0-9_-], 3 to 30 characters)"
        case .page where ItemParsers.reservedPageSlugs.contains(slug):
            return "\"\(slug)\" is reserved for the shop's own pages; choose another"
        default:
            return Identifier.isSlug(slug) ? nil : "\"\(slug)\" is not a slug (lower-case letters, digits and -)"
        }
    }

    /// The archetype used when neither the site nor its theme has one.
    public var builtInArchetype: String {
        switch self {
        case .product:
            return """
            ---
            name: "{{name}}"
            sku: {{sku}}
            category: {{category}}
            price: 0.00
            stock: 0
            date: {{date}}
            tags: []
            draft: true
            ---

            Describe {{name}}: what it is made of, how it is made and who made it.

            """
        case .person:
            return """
            ---
            name: "{{name}}"
            location: ""
            ---

            A few sentences about {{name}} and their work.

            """
        case .page:
            return """
            ---
            title: "{{name}}"
            ---

            Write the page here.

            """
        case .category:
            return """
            ---
            name: "{{name}}"
            weight: 100
            ---

            What {{name}} has in common.

            """
        }
    }
}

public struct Archetype: Sendable {
    /// The archetype's text and where it came from (a path, or "built in").
    public let text: String
    public let origin: String

    /// The site's archetype, else the theme's, else the built-in one.
    public static func find(_ kind: ContentKind, site: URL, theme: URL?) -> Archetype {
        let name = "archetypes/\(kind.rawValue).md"
        for folder in [site] + (theme.map { [$0] } ?? []) {
            let file = folder.appendingPathComponent(name)
            if let data = FileManager.default.contents(atPath: file.path), let text = String(data: data, encoding: .utf8) {
                return Archetype(text: text, origin: file.path)
            }
        }
        return Archetype(text: kind.builtInArchetype, origin: "built in")
    }

    /// The archetype with its placeholders filled: `{{name}}` (the slug in words: "green-tea" →
    /// "Green tea"), `{{slug}}`, `{{sku}}` (the slug in capitals), `{{category}}` and `{{date}}`
    /// (today, YYYY-MM-DD). Plain replacement, not Mustache: the file is YAML and Markdown, which
    /// HTML escaping would corrupt, and archetypes need no sections.
    public func filled(slug: String, category: String?, date: String) -> String {
        let words = slug.split(whereSeparator: { $0 == "-" || $0 == "_" }).joined(separator: " ")
        let values = ["name": words.prefix(1).uppercased() + words.dropFirst(), "slug": slug, "sku": slug.uppercased(),
                      "category": category ?? "", "date": date]
        var result = text
        for (key, value) in values {
            for token in ["{{\(key)}}", "{{ \(key) }}"] { result = result.replacingOccurrences(of: token, with: value) }
        }
        return result
    }
}
