import CCmark

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// CommonMark rendering through libcmark, always in safe mode.
///
/// Safe mode is the point of this wrapper: raw HTML in content becomes a comment and
/// `javascript:`/`vbscript:`/`file:` links lose their href, so a product description can never
/// inject script into a page. `CMARK_OPT_UNSAFE` is deliberately not reachable from here.
public enum Markdown {
    /// Renders CommonMark to an HTML fragment.
    public static func html(_ source: String) -> String {
        let options = CMARK_OPT_DEFAULT | CMARK_OPT_SMART
        return source.withCString { pointer -> String in
            guard let rendered = cmark_markdown_to_html(pointer, strlen(pointer), options) else { return "" }
            defer { free(rendered) }
            return String(cString: rendered)
        }
    }

    /// The visible text of a document, whitespace collapsed: for meta descriptions, feed summaries
    /// and search excerpts.
    public static func plainText(_ source: String) -> String {
        read(source, text: true, links: false).text
    }

    /// `plainText` cut at a word boundary to at most `limit` characters, with an ellipsis when cut.
    public static func excerpt(_ source: String, limit: Int) -> String {
        cut(read(source, text: true, links: false).text, limit: limit)
    }

    /// `excerpt` and `links` from one parse of the document.
    public static func summary(_ source: String, excerptLimit: Int) -> (excerpt: String, links: [MarkdownLink]) {
        let read = read(source, text: true, links: true)
        return (cut(read.text, limit: excerptLimit), read.links)
    }

    private static func cut(_ text: String, limit: Int) -> String {
        // Counting stops at `limit` characters: a long text is not segmented to its end.
        guard let end = text.index(text.startIndex, offsetBy: limit, limitedBy: text.endIndex), end < text.endIndex else {
            return text
        }
        var cut = text[..<end]
        if let space = cut.lastIndex(of: " ") { cut = cut[..<space] }
        return cut + "…"
    }

    /// One walk over the parsed document for its visible text, its link destinations, or both.
    private static func read(_ source: String, text wantsText: Bool, links wantsLinks: Bool) -> (text: String, links: [MarkdownLink]) {
        var text = CollapsedText()
        var links: [MarkdownLink] = []
        source.withCString { pointer in
            guard let document = cmark_parse_document(pointer, strlen(pointer), CMARK_OPT_DEFAULT) else { return }
            defer { cmark_node_free(document) }
            guard let iterator = cmark_iter_new(document) else { return }
            defer { cmark_iter_free(iterator) }
            var blockLine: Int32 = 1
            while true {
                let event = cmark_iter_next(iterator)
                if event == CMARK_EVENT_DONE { break }
                guard let node = cmark_iter_get_node(iterator) else { continue }
                let type = cmark_node_get_type(node)
                if wantsText {
                    if event == CMARK_EVENT_ENTER, type == CMARK_NODE_TEXT || type == CMARK_NODE_CODE,
                       let literal = cmark_node_get_literal(node) {
                        text.append(literal)
                    } else if type == CMARK_NODE_SOFTBREAK || type == CMARK_NODE_LINEBREAK
                                || (event == CMARK_EVENT_EXIT && (type == CMARK_NODE_PARAGRAPH || type == CMARK_NODE_HEADING
                                                                  || type == CMARK_NODE_ITEM)) {
                        text.space()
                    }
                }
                guard wantsLinks, event == CMARK_EVENT_ENTER else { continue }
                let start = cmark_node_get_start_line(node)
                if type == CMARK_NODE_SOFTBREAK || type == CMARK_NODE_LINEBREAK {
                    // Where an inline node carries no line of its own, count the breaks before it.
                    blockLine = start > 0 ? start + 1 : blockLine + 1
                } else if type == CMARK_NODE_LINK || type == CMARK_NODE_IMAGE {
                    if let url = cmark_node_get_url(node) {
                        links.append(MarkdownLink(destination: String(cString: url), line: Int(start > 0 ? start : blockLine)))
                    }
                } else if start > 0 {
                    blockLine = start
                }
            }
        }
        return (text.string, links)
    }
}

/// UTF-8 text built from C strings with runs of whitespace collapsed to one space and no
/// leading or trailing space.
private struct CollapsedText {
    private var bytes: [UInt8] = []
    private var pendingSpace = false

    mutating func append(_ cString: UnsafePointer<CChar>) {
        var pointer = UnsafeRawPointer(cString).assumingMemoryBound(to: UInt8.self)
        while pointer.pointee != 0 {
            let byte = pointer.pointee
            if byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D {
                pendingSpace = true
            } else {
                if pendingSpace, !bytes.isEmpty { bytes.append(0x20) }
                pendingSpace = false
                bytes.append(byte)
            }
            pointer += 1
        }
    }

    mutating func space() {
        pendingSpace = true
    }

    var string: String { String(decoding: bytes, as: UTF8.self) }
}

/// A link or image target written in a Markdown document.
public struct MarkdownLink: Hashable, Sendable {
    public let destination: String
    /// 1-based line within the document.
    public let line: Int

    public init(destination: String, line: Int) {
        self.destination = destination
        self.line = line
    }
}

extension Markdown {
    /// Every link and image destination in the document, with its line, in document order.
    public static func links(_ source: String) -> [MarkdownLink] {
        read(source, text: false, links: true).links
    }
}
