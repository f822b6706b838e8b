import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Checks an Atom document against the elements RFC 4287 requires (§4.1.1, §4.1.2, §4.2.1, §3.3):
/// one id, title and updated on the feed and on every entry, an author with a name on the feed or on
/// every entry, an alternate link or content on every entry, and RFC 3339 dates.
public enum AtomValidator {
    /// Every rule the document breaks, in words; empty when it is valid.
    public static func problems(_ xml: String) -> [String] {
        guard let feed = Element.parse(xml) else { return ["not well-formed XML"] }
        guard feed.name == "feed", feed.namespace == "http://www.w3.org/2005/Atom" else {
            return ["the root is <\(feed.name)> in \(feed.namespace ?? "no namespace"), not an Atom <feed>"]
        }
        var problems = required(in: feed, what: "the feed")
        let feedHasAuthor = hasNamedAuthor(feed)
        for (index, entry) in feed.children(named: "entry").enumerated() {
            let what = "entry \(index + 1)"
            problems += required(in: entry, what: what)
            if !feedHasAuthor, !hasNamedAuthor(entry) { problems.append("\(what) has no author and neither has the feed") }
            let alternate = entry.children(named: "link").contains { ($0.attributes["rel"] ?? "alternate") == "alternate" }
            if !alternate, entry.children(named: "content").isEmpty { problems.append("\(what) has neither content nor an alternate link") }
        }
        return problems
    }

    private static func required(in element: Element, what: String) -> [String] {
        var problems: [String] = []
        for name in ["id", "title", "updated"] {
            let count = element.children(named: name).count
            if count != 1 { problems.append("\(what) has \(count) <\(name)> elements, not one") }
        }
        for updated in element.children(named: "updated") where !isRFC3339(updated.text) {
            problems.append("\(what): <updated> \(updated.text) is not an RFC 3339 date-time")
        }
        if let id = element.children(named: "id").first, URL(string: id.text)?.scheme == nil {
            problems.append("\(what): <id> \(id.text) is not an absolute IRI")
        }
        return problems
    }

    private static func hasNamedAuthor(_ element: Element) -> Bool {
        element.children(named: "author").contains { author in
            author.children(named: "name").contains { !$0.text.trimmingCharacters(in: .whitespaces).isEmpty }
        }
    }

    private static func isRFC3339(_ text: String) -> Bool {
        text.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"#, options: .regularExpression) != nil
    }

    /// A namespace-aware element tree, just enough for the checks above.
    final class Element {
        let name: String
        let namespace: String?
        let attributes: [String: String]
        var text = ""
        var children: [Element] = []

        init(name: String, namespace: String?, attributes: [String: String]) {
            self.name = name
            self.namespace = namespace
            self.attributes = attributes
        }

        func children(named name: String) -> [Element] {
            children.filter { $0.name == name && $0.namespace == namespace }
        }

        static func parse(_ xml: String) -> Element? {
            let builder = Builder()
            let parser = XMLParser(data: Data(xml.utf8))
            parser.shouldProcessNamespaces = true
            parser.delegate = builder
            return parser.parse() ? builder.root : nil
        }
    }

    private final class Builder: NSObject, XMLParserDelegate {
        var root: Element?
        private var stack: [Element] = []

        func parser(_ parser: XMLParser, didStartElement element: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            let node = Element(name: element, namespace: namespaceURI, attributes: attributes)
            if let parent = stack.last { parent.children.append(node) } else { root = node }
            stack.append(node)
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            stack.last?.text += string
        }

        func parser(_ parser: XMLParser, didEndElement element: String, namespaceURI: String?, qualifiedName: String?) {
            stack.removeLast()
        }
    }
}
