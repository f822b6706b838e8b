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

    /// Names after `{{>` and `{{<`; `*` for a dynamic name. Searched byte by byte in the UTF-8
    /// text (the delimiters are ASCII, which no multi-byte character holds): Foundation's
    /// `range(of:)` was a third of loading a theme.
    static func references(in source: String) -> Set<String> {
        var found: Set<String> = []
        let bytes = Array(source.utf8)
        let (open, close) = (UInt8(ascii: "{"), UInt8(ascii: "}"))
        var index = 0
        while index + 2 < bytes.count {
            guard bytes[index] == open, bytes[index + 1] == open else {
                index += 1
                continue
            }
            let kind = bytes[index + 2]
            index += 2
            guard kind == UInt8(ascii: ">") || kind == UInt8(ascii: "<") else { continue }
            var end = index + 1
            while end + 1 < bytes.count, !(bytes[end] == close && bytes[end + 1] == close) { end += 1 }
            guard end + 1 < bytes.count else { break }
            let name = String(decoding: bytes[(index + 1)..<end], as: UTF8.self).trimmingCharacters(in: .whitespaces)
            found.insert(name.hasPrefix("*") ? "*" : name)
            index = end + 2
        }
        return found
    }
}
