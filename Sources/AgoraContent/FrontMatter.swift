import Yams

/// A Markdown file split into YAML front matter (between `---` lines) and its body.
struct FrontMatterDocument {
    var fields: FieldReader
    var body: String
    /// 1-based line of the first body line in the file, for link errors inside the body.
    var bodyStartLine: Int

    /// A file cut into its front matter and its body, before the YAML is parsed.
    struct Parts {
        let yaml: String
        let body: String
        let bodyStartLine: Int
    }

    /// Splits and parses; on malformed input reports issues and returns nil.
    static func parse(_ text: String, file: String, log: inout IssueLog) -> FrontMatterDocument? {
        guard let parts = split(text, file: file, log: &log) else { return nil }
        return parse(parts, file: file, log: &log)
    }

    /// Parses the YAML of a split file.
    static func parse(_ parts: Parts, file: String, log: inout IssueLog) -> FrontMatterDocument? {
        guard let fields = FieldReader.parse(yaml: parts.yaml, lineOffset: 1, file: file, log: &log) else { return nil }
        return FrontMatterDocument(fields: fields, body: parts.body, bodyStartLine: parts.bodyStartLine)
    }

    /// Cuts the file at its `---` fences; reports a missing fence.
    static func split(_ text: String, file: String, log: inout IssueLog) -> Parts? {
        var text = text
        return text.withUTF8 { bytes -> Parts? in
            // Work on bytes: splitting by Character is several times slower on large sites.
            guard let firstEnd = lineEnd(bytes, from: 0), isFence(bytes, 0, firstEnd) else {
                log.add(file, 1, "front matter", "the file must start with a `---` line that opens the front matter")
                return nil
            }
            var lineStart = firstEnd + 1
            var lineNumber = 2
            while lineStart < bytes.count {
                let end = lineEnd(bytes, from: lineStart) ?? bytes.count
                if isFence(bytes, lineStart, end) {
                    let yaml = String(decoding: bytes[(firstEnd + 1)..<lineStart], as: UTF8.self)
                    let bodyStart = min(end + 1, bytes.count)
                    var body = String(decoding: bytes[bodyStart...], as: UTF8.self)
                    while body.hasSuffix("\n") { body.removeLast() }
                    return Parts(yaml: yaml, body: body, bodyStartLine: lineNumber + 1)
                }
                lineStart = end + 1
                lineNumber += 1
            }
            log.add(file, 1, "front matter", "the front matter opened on line 1 is never closed with `---`")
            return nil
        }
    }

    /// Index of the newline ending the line that starts at `start` (the text's length for a last
    /// line without one), or nil at the end of the text.
    private static func lineEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard start < bytes.count else { return nil }
        var index = start
        while index < bytes.count, bytes[index] != 0x0A { index += 1 }
        return index
    }

    /// `---`, optionally followed by spaces or tabs.
    private static func isFence(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        guard end - start >= 3, bytes[start] == 0x2D, bytes[start + 1] == 0x2D, bytes[start + 2] == 0x2D else { return false }
        return bytes[(start + 3)..<end].allSatisfy { $0 == 0x20 || $0 == 0x09 }
    }

    var location: SourceLocation {
        SourceLocation(file: fields.file, bodyStartLine: bodyStartLine, keyLines: fields.keyLines)
    }

}

/// Typed access to a YAML mapping that reports every wrong value as an issue on the key's line,
/// and remembers which keys were read so the rest can become `params`.
struct FieldReader {
    private struct Entry {
        let key: String
        let node: Node
        let line: Int
    }

    let file: String
    private var entries: [String: Entry] = [:]
    private var order: [String] = []
    private var consumed: Set<String> = []

    /// Parses a YAML mapping; `lineOffset` is the number of file lines before the YAML text.
    static func parse(yaml: String, lineOffset: Int, file: String, log: inout IssueLog) -> FieldReader? {
        let root: Node?
        do {
            // Naming the encoding spares Yams a look-up of the process environment per document.
            // No resolver rules: every key is compared as the text it is (as `FieldReader` reads it),
            // and Yams' duplicate-key check no longer runs seven regular expressions over each key
            // for every comparison — it was two thirds of all YAML time in a cold build. Values
            // are unaffected: `bool`, `int` and `float` read a scalar's text, not its resolved tag.
            root = try Yams.compose(yaml: yaml, .basic, .default, .utf8)
        } catch YamlError.duplicatedKeysInMapping(let duplicates, let context) {
            reportDuplicates(duplicates, in: yaml, fallbackLine: context.mark.line + lineOffset, lineOffset: lineOffset,
                             file: file, log: &log)
            return nil
        } catch let error as YamlError {
            let (line, problem) = describe(error)
            log.add(file, line + lineOffset, "yaml", problem)
            return nil
        } catch {
            log.add(file, 1 + lineOffset, "yaml", "\(error)")
            return nil
        }
        var reader = FieldReader(file: file)
        guard let root else { return reader }
        guard let mapping = root.mapping else {
            log.add(file, (root.mark?.line ?? 1) + lineOffset, "yaml", "expected `key: value` lines")
            return nil
        }
        for (keyNode, value) in mapping {
            let line = (keyNode.mark?.line ?? 1) + lineOffset
            guard let key = keyNode.scalar?.string else {
                log.add(file, line, "yaml", "keys must be plain words")
                continue
            }
            reader.entries[key] = Entry(key: key, node: value, line: line)
            reader.order.append(key)
        }
        return reader
    }

    /// Yams refuses repeated keys as a whole; name each repeat on its own line, as for other keys.
    private static func reportDuplicates(_ keys: [String], in yaml: String, fallbackLine: Int, lineOffset: Int,
                                         file: String, log: inout IssueLog) {
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
        for key in keys.sorted() {
            let matches = lines.indices.filter { lines[$0].hasPrefix(key + ":") }
            if matches.count >= 2 {
                log.add(file, matches[1] + 1 + lineOffset, key, "appears twice (first on line \(matches[0] + 1 + lineOffset))")
            } else {
                log.add(file, fallbackLine, key, "appears more than once")
            }
        }
    }

    private static func describe(_ error: YamlError) -> (Int, String) {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
             .composer(_, let problem, let mark, _):
            return (mark.line, "malformed YAML: \(problem)")
        case .reader(let problem, _, _, _):
            return (1, "unreadable YAML: \(problem)")
        default:
            return (1, "malformed YAML: \(error)")
        }
    }

    init(file: String) {
        self.file = file
    }

    /// The file line of `key`, or 1 when the key is absent.
    func line(of key: String) -> Int { entries[key]?.line ?? 1 }

    func has(_ key: String) -> Bool { entries[key] != nil }

    var keyLines: [String: Int] { entries.mapValues(\.line) }

    // MARK: typed readers

    /// A scalar as text; lists and maps are an error. Empty or `null` counts as absent.
    mutating func string(_ key: String, required: Bool = false, maxLength: Int? = nil, log: inout IssueLog) -> String? {
        guard let entry = take(key) else {
            if required { log.add(file, 1, key, "is required") }
            return nil
        }
        guard let scalar = entry.node.scalar else {
            log.add(file, entry.line, key, "expected text, found \(kind(of: entry.node))")
            return nil
        }
        if isNull(scalar) {
            if required { log.add(file, entry.line, key, "is required and must not be empty") }
            return nil
        }
        if let maxLength, scalar.string.count > maxLength {
            log.add(file, entry.line, key, "is \(scalar.string.count) characters long; at most \(maxLength) allowed")
            return nil
        }
        return scalar.string
    }

    mutating func int(_ key: String, in range: ClosedRange<Int>, log: inout IssueLog) -> Int? {
        guard let entry = take(key), let scalar = scalarValue(entry, expecting: "a whole number", log: &log) else { return nil }
        guard let value = Int(scalar.string) else {
            log.add(file, entry.line, key, "\(quoted(scalar.string)) is not a whole number")
            return nil
        }
        guard range.contains(value) else {
            let upper = range.upperBound == Int.max ? "" : " and at most \(range.upperBound)"
            log.add(file, entry.line, key, "\(value) is out of range; it must be at least \(range.lowerBound)\(upper)")
            return nil
        }
        return value
    }

    mutating func bool(_ key: String, log: inout IssueLog) -> Bool? {
        guard let entry = take(key), let scalar = scalarValue(entry, expecting: "true or false", log: &log) else { return nil }
        switch scalar.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            log.add(file, entry.line, key, "\(quoted(scalar.string)) is not true or false")
            return nil
        }
    }

    mutating func money(_ key: String, required: Bool, log: inout IssueLog) -> Money? {
        guard let entry = take(key) else {
            if required { log.add(file, 1, key, "is required") }
            return nil
        }
        guard let scalar = scalarValue(entry, expecting: "a decimal amount", log: &log) else { return nil }
        guard let money = Money(decimal: scalar.string) else {
            let text = scalar.string
            if text.hasPrefix("-") {
                log.add(file, entry.line, key, "\(quoted(text)) is negative; prices are 0 or more")
            } else if let dot = text.firstIndex(of: "."), text[text.index(after: dot)...].count > 2,
                      Double(text) != nil {
                log.add(file, entry.line, key, "\(quoted(text)) has more than 2 decimals")
            } else {
                log.add(file, entry.line, key, "\(quoted(text)) is not a decimal amount")
            }
            return nil
        }
        return money
    }

    /// A calendar date written `YYYY-MM-DD`.
    mutating func date(_ key: String, log: inout IssueLog) -> String? {
        guard let entry = take(key), let scalar = scalarValue(entry, expecting: "a date", log: &log) else { return nil }
        guard CalendarDate.isValid(scalar.string) else {
            log.add(file, entry.line, key, "\(quoted(scalar.string)) is not a date written YYYY-MM-DD")
            return nil
        }
        return scalar.string
    }

    mutating func stringList(_ key: String, log: inout IssueLog) -> [String]? {
        guard let entry = take(key) else { return nil }
        if let scalar = entry.node.scalar {
            if isNull(scalar) { return [] }
            log.add(file, entry.line, key, "expected a list like [a, b], found \(quoted(scalar.string))")
            return nil
        }
        guard let sequence = entry.node.sequence else {
            log.add(file, entry.line, key, "expected a list, found \(kind(of: entry.node))")
            return nil
        }
        var values: [String] = []
        for item in sequence {
            guard let scalar = item.scalar else {
                log.add(file, (item.mark?.line).map { $0 + entry.line - (entry.node.mark?.line ?? 0) } ?? entry.line,
                        key, "list items must be text")
                return nil
            }
            values.append(scalar.string)
        }
        return values
    }

    /// A warning for each key no typed reader asked for that looks like a typo of one that was
    /// (`stok` for `stock`, `prcie` for `price`, `Price` for `price`). Such keys still reach
    /// templates as `params`; other unknown keys pass silently, as the spec allows.
    func unknownKeyWarnings() -> [ContentIssue] {
        let known = consumed.sorted()
        return order.filter { !consumed.contains($0) }.compactMap { key in
            guard let entry = entries[key], let match = KeySpelling.closest(to: key, among: known) else { return nil }
            return ContentIssue(file: file, line: entry.line, key: key, message: "unknown key (did you mean \"\(match)\"?)")
        }
    }

    /// Every key not read by a typed reader, for templates.
    func params() -> [String: ParamValue] {
        var result: [String: ParamValue] = [:]
        for key in order where !consumed.contains(key) {
            if let entry = entries[key] { result[key] = Self.param(entry.node) }
        }
        return result
    }

    // MARK: helpers

    /// The YAML node of `key` and its line, for readers of nested settings (`shipping:`, `tax:`).
    mutating func takeNode(_ key: String) -> (node: Node, line: Int)? {
        take(key).map { ($0.node, $0.line) }
    }

    private mutating func take(_ key: String) -> Entry? {
        consumed.insert(key)
        return entries[key]
    }

    private func scalarValue(_ entry: Entry, expecting: String, log: inout IssueLog) -> Node.Scalar? {
        guard let scalar = entry.node.scalar else {
            log.add(file, entry.line, entry.key, "expected \(expecting), found \(kind(of: entry.node))")
            return nil
        }
        return isNull(scalar) ? nil : scalar
    }

    private func isNull(_ scalar: Node.Scalar) -> Bool {
        scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    private func kind(of node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let scalar): return quoted(scalar.string)
        case .alias: return "an alias"
        }
    }

    private static func param(_ node: Node) -> ParamValue {
        switch node {
        case .scalar(let scalar):
            if scalar.style == .plain {
                if ["", "~", "null"].contains(scalar.string) { return .null }
                if let bool = node.bool { return .bool(bool) }
                if let int = Int(scalar.string) { return .int(int) }
                if let double = node.float { return .double(double) }
            }
            return .string(scalar.string)
        case .sequence(let sequence):
            return .list(sequence.map(param))
        case .mapping(let mapping):
            var map: [String: ParamValue] = [:]
            for (key, value) in mapping { map[key.scalar?.string ?? ""] = param(value) }
            return .map(map)
        case .alias:
            return .null
        }
    }
}

func quoted(_ text: String) -> String {
    "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
}

/// Near misses between a key as written and the keys Agora reads.
enum KeySpelling {
    /// The known key closest to `key` within a small edit distance (one edit for keys of up to four
    /// letters, two for longer ones), ignoring case; nil when none is that close.
    static func closest(to key: String, among known: [String]) -> String? {
        let written = Array(key.lowercased())
        let allowed = written.count <= 4 ? 1 : 2
        var best: (key: String, distance: Int)?
        for candidate in known {
            let distance = editDistance(written, Array(candidate.lowercased()))
            if distance <= allowed, distance < (best?.distance ?? Int.max) { best = (candidate, distance) }
        }
        return best?.key
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
    /// neighbouring characters each cost one.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var table = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
                }
            }
        }
        return table[a.count][b.count]
    }
}
