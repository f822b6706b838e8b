/// One problem found in the content, printed as `file:line: key: message` (SPEC §2.1).
public struct ContentIssue: Error, Hashable, Sendable, CustomStringConvertible, Comparable {
    /// Path as shown to the user, e.g. `content/products/green-tea.md`.
    public let file: String
    /// 1-based line of the offending key (1 when the problem is the file as a whole).
    public let line: Int
    /// The front-matter key, or a word naming what is wrong (`front matter`, `encoding`, `link`).
    public let key: String
    public let message: String

    public init(file: String, line: Int, key: String, message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    public var description: String {
        var bytes: [UInt8] = []
        write(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `description`'s bytes, appended: thousands of warnings printed at once need no string each.
    public func write(to bytes: inout [UInt8]) {
        bytes += file.utf8
        bytes.append(UInt8(ascii: ":"))
        bytes += String(line).utf8
        bytes += ": ".utf8
        bytes += key.utf8
        bytes += ": ".utf8
        bytes += message.utf8
    }

    public static func < (lhs: ContentIssue, rhs: ContentIssue) -> Bool {
        (lhs.file, lhs.line, lhs.key, lhs.message) < (rhs.file, rhs.line, rhs.key, rhs.message)
    }
}

/// Every problem found in one pass over the content; thrown instead of stopping at the first.
public struct ContentIssues: Error, Sendable, CustomStringConvertible {
    public let issues: [ContentIssue]

    public init(_ issues: [ContentIssue]) {
        self.issues = issues.sorted()
    }

    public var description: String { issues.map(\.description).joined(separator: "\n") }
}

/// Collects issues while a file or the whole site is read.
struct IssueLog {
    private(set) var issues: [ContentIssue] = []

    mutating func add(_ file: String, _ line: Int, _ key: String, _ message: String) {
        issues.append(ContentIssue(file: file, line: line, key: key, message: message))
    }

    mutating func append(contentsOf other: [ContentIssue]) {
        issues.append(contentsOf: other)
    }

    var isEmpty: Bool { issues.isEmpty }
}
