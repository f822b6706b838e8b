import AgoraContent
import Foundation

/// Which templates each template pulls in (`{{> partial}}`, `{{< parent}}`), so that a build can
/// tell whether a page's templates changed without rendering it: a page's template digest covers
/// its own source and every template it reaches.
struct TemplateDependencies: Sendable {
    /// Per template name: a digest of the sources of the template and everything it includes.
    let digests: [String: UInt64]

    init(sources: [String: String]) {
        let references = sources.mapValues(Self.references)
        let everything = Set(sources.keys)
        var digests: [String: UInt64] = [:]
        for name in sources.keys {
            // A dynamic partial name (`{{>*name}}`) could be any template: depend on them all.
            let reached = references[name]?.contains("*") == true ? everything : Self.closure(of: name, references)
            var combined = Data()
            for member in reached.sorted() {
                combined.append(contentsOf: Array(member.utf8) + [0])
                combined.append(contentsOf: Array((sources[member] ?? "").utf8) + [0])
            }
            digests[name] = ContentHash.fnv1a64(combined)
        }
        self.digests = digests
    }

    private static func closure(of name: String, _ references: [String: Set<String>]) -> Set<String> {
        var reached: Set<String> = [name]
        var pending = [name]
        while let next = pending.popLast() {
            for reference in references[next] ?? [] where !reached.contains(reference) {
                reached.insert(reference)
                pending.append(reference)
            }
        }
        return reached
    }

    /// Names after `{{>` and `{{<`; `*` for a dynamic name.
    static func references(in source: String) -> Set<String> {
        var found: Set<String> = []
        var rest = Substring(source)
        while let open = rest.range(of: "{{") {
            rest = rest[open.upperBound...]
            guard let kind = rest.first, kind == ">" || kind == "<" else { continue }
            guard let close = rest.range(of: "}}") else { break }
            let name = rest[rest.index(after: rest.startIndex)..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            found.insert(name.hasPrefix("*") ? "*" : name)
            rest = rest[close.upperBound...]
        }
        return found
    }
}
