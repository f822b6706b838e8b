/// Parses a template into `TemplateNode`s: a port of swift-mustache 2.1's parser
/// (`MustacheTemplate.parse`, Apache 2.0, the Hummingbird authors), kept step for step the same,
/// over `Character`s as there, so that what eats a line, what is indented and what is text is
/// decided exactly as swift-mustache decides it. `TemplateParserTests` holds the two to the same
/// output on generated templates.
///
/// Errors are reported by swift-mustache's own parser, which `Theme` runs first; this one only
/// says whether a template uses what `TemplateRenderer` leaves to swift-mustache: transforms
/// (`{{upper(name)}}`) and dynamic partials (`{{>*name}}`).
struct TemplateParser {
    enum Failure: Error {
        /// Not a template (swift-mustache would have said why).
        case malformed
        /// Valid, but uses transforms or dynamic partials.
        case unsupported
    }

    private struct State {
        var sectionName: String?
        var newLine = true
        var isPartialDefinition = false
        var isPartialDefinitionTopLevel = false
        var startDelimiter = "{{"
        var endDelimiter = "}}"
        var partialDefinitionIndent: Substring?

        func withSectionName(_ name: String, newLine: Bool) -> State {
            var state = self
            state.sectionName = name
            state.isPartialDefinitionTopLevel = false
            if !newLine { state.newLine = false }
            return state
        }

        func withInheritancePartial(_ name: String) -> State {
            var state = self
            state.sectionName = name
            state.newLine = true
            state.isPartialDefinition = true
            state.isPartialDefinitionTopLevel = true
            return state
        }

        func withDelimiters(start: String, end: String) -> State {
            var state = self
            state.startDelimiter = start
            state.endDelimiter = end
            state.isPartialDefinitionTopLevel = false
            return state
        }
    }

    private let text: String
    private var position: String.Index

    private init(_ text: String) {
        self.text = text
        position = text.startIndex
    }

    static func parse(_ text: String) throws(Failure) -> CompiledTemplate {
        var parser = TemplateParser(text)
        return try parser.parse(State())
    }

    // MARK: - The grammar, as swift-mustache's `parse(_:state:)`

    private mutating func parse(_ initial: State) throws(Failure) -> CompiledTemplate {
        var nodes: [TemplateNode] = []
        var state = initial
        var whiteSpaceBefore: Substring = ""
        while !reachedEnd {
            if state.newLine {
                let whiteSpace = read(while: { $0 == " " || $0 == "\t" })
                if state.isPartialDefinition, !state.isPartialDefinitionTopLevel {
                    if let indent = state.partialDefinitionIndent {
                        whiteSpaceBefore = whiteSpace.dropFirst(indent.count)
                    } else {
                        state.partialDefinitionIndent = whiteSpace
                    }
                } else {
                    whiteSpaceBefore = whiteSpace
                }
            }
            let text = readUntilDelimiterOrNewline(state)
            if current.isNewline {
                nodes.append(.text(String(whiteSpaceBefore) + text + String(current)))
                state.newLine = true
                advance()
                continue
            }
            if !text.isEmpty {
                nodes.append(.text(String(whiteSpaceBefore) + text))
                whiteSpaceBefore = ""
                state.newLine = false
            }
            if reachedEnd { break }
            var setNewLine = false
            func flushWhiteSpace() {
                if !whiteSpaceBefore.isEmpty {
                    nodes.append(.text(String(whiteSpaceBefore)))
                    whiteSpaceBefore = ""
                }
            }
            switch current {
            case "#", "^":
                let inverted = current == "^"
                advance()
                let name = try parseName(state)
                if isStandalone(state) {
                    setNewLine = true
                } else {
                    flushWhiteSpace()
                }
                let section = try parse(state.withSectionName(name, newLine: setNewLine))
                nodes.append(inverted ? .invertedSection(TemplateName(name), section) : .section(TemplateName(name), section))

            case "/":
                advance()
                let name = try parseName(state)
                guard name == state.sectionName else { throw .malformed }
                if isStandalone(state) {
                    setNewLine = true
                } else {
                    flushWhiteSpace()
                }
                return CompiledTemplate(nodes)

            case "!":
                advance()
                guard skip(past: state.endDelimiter) else { throw .malformed }
                setNewLine = isStandalone(state)

            case "{":
                flushWhiteSpace()
                advance()
                let name = try parseName(state)
                guard readCharacter("}") else { throw .malformed }
                nodes.append(.variable(TemplateName(name), escaped: false))

            case "&":
                flushWhiteSpace()
                advance()
                nodes.append(.variable(TemplateName(try parseName(state)), escaped: false))

            case ">":
                advance()
                _ = read(while: \.isWhitespace)
                if current == "*" { throw .unsupported }
                let name = try parsePartialName(state)
                if !whiteSpaceBefore.isEmpty {
                    nodes.append(.text(String(whiteSpaceBefore)))
                }
                if isStandalone(state) {
                    setNewLine = true
                    nodes.append(.partial(name, indentation: String(whiteSpaceBefore), overrides: nil))
                } else {
                    nodes.append(.partial(name, indentation: nil, overrides: nil))
                }
                whiteSpaceBefore = ""

            case "<":
                advance()
                _ = read(while: \.isWhitespace)
                let name = try parsePartialName(state)
                if name.first == "*" { throw .unsupported }
                if !whiteSpaceBefore.isEmpty {
                    nodes.append(.text(String(whiteSpaceBefore)))
                }
                if isStandalone(state) {
                    setNewLine = true
                }
                let section = try parse(state.withInheritancePartial(name))
                var overrides: [String: CompiledTemplate] = [:]
                for node in section.nodes {
                    switch node {
                    case .blockDefinition(let name, let template): overrides[name] = template
                    case .text: break
                    default: throw .malformed
                    }
                }
                nodes.append(.partial(name, indentation: String(whiteSpaceBefore), overrides: overrides))
                whiteSpaceBefore = ""

            case "$":
                advance()
                let name = try parseName(state)
                if state.isPartialDefinitionTopLevel {
                    if isStandalone(state) {
                        setNewLine = true
                    }
                    let section = try parse(state.withSectionName(name, newLine: setNewLine))
                    nodes.append(.blockDefinition(name: name, section))
                } else {
                    if !whiteSpaceBefore.isEmpty {
                        nodes.append(.text(String(whiteSpaceBefore)))
                    }
                    if isStandalone(state) {
                        setNewLine = true
                    }
                    let section = try parse(state.withSectionName(name, newLine: setNewLine))
                    nodes.append(.blockExpansion(name: name, default: section, indentation: String(whiteSpaceBefore)))
                    whiteSpaceBefore = ""
                }

            case "=":
                advance()
                state = try parseSetDelimiter(state)
                setNewLine = isStandalone(state)

            case "%":
                advance()
                nodes.append(.escaping(try parseContentType(state)))
                setNewLine = isStandalone(state)

            default:
                flushWhiteSpace()
                nodes.append(.variable(TemplateName(try parseName(state)), escaped: true))
            }
            state.newLine = setNewLine
        }
        guard state.sectionName == nil else { throw .malformed }
        return CompiledTemplate(nodes)
    }

    // MARK: - Tags

    private mutating func readUntilDelimiterOrNewline(_ state: State) -> String {
        guard let delimiterFirst = state.startDelimiter.first else { return "" }
        var total = ""
        while !reachedEnd {
            total += read(while: { $0 != "\n" && $0 != "\r\n" && $0 != delimiterFirst })
            if current.isNewline {
                break
            } else if current == delimiterFirst {
                if readString(state.startDelimiter) { break }
                total.append(delimiterFirst)
                advance()
            }
        }
        return total
    }

    private static let nameCharacters = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-_?*")
    private static let nameCharactersWithBrackets = nameCharacters.union("()")
    private static let partialNameCharacters = nameCharactersWithBrackets.union("/")

    private mutating func parseName(_ state: State) throws(Failure) -> String {
        _ = read(while: \.isWhitespace)
        let name = String(read(while: { Self.nameCharactersWithBrackets.contains($0) }))
        _ = read(while: \.isWhitespace)
        guard readString(state.endDelimiter) else { throw .malformed }
        if name.contains("(") || name.contains(")") { throw .unsupported }
        return name
    }

    private mutating func parsePartialName(_ state: State) throws(Failure) -> String {
        _ = read(while: \.isWhitespace)
        let name = String(read(while: { Self.partialNameCharacters.contains($0) }))
        _ = read(while: \.isWhitespace)
        guard readString(state.endDelimiter) else { throw .malformed }
        return name
    }

    private mutating func parseSetDelimiter(_ state: State) throws(Failure) -> State {
        _ = read(while: \.isWhitespace)
        guard let start = read(until: \.isWhitespace) else { throw .malformed }
        _ = read(while: \.isWhitespace)
        guard let end = read(until: { $0 == "=" || $0.isWhitespace }) else { throw .malformed }
        _ = read(while: \.isWhitespace)
        guard readCharacter("="), readString(state.endDelimiter), !start.isEmpty, !end.isEmpty else { throw .malformed }
        return state.withDelimiters(start: String(start), end: String(end))
    }

    private mutating func parseContentType(_ state: State) throws(Failure) -> TemplateEscaping {
        _ = read(while: \.isWhitespace)
        let variable = read(while: { Self.nameCharacters.contains($0) })
        _ = read(while: \.isWhitespace)
        guard readCharacter(":") else { throw .malformed }
        _ = read(while: \.isWhitespace)
        let value = read(while: { Self.nameCharacters.contains($0) })
        _ = read(while: \.isWhitespace)
        guard readString(state.endDelimiter), variable == "CONTENT_TYPE" else { throw .malformed }
        switch value {
        case "HTML", FastHTMLContentType.name: return .html
        case "TEXT": return .none
        default: throw .unsupported
        }
    }

    /// A standalone tag is alone on its line: the rest of the line, and its newline, are eaten.
    private mutating func isStandalone(_ state: State) -> Bool {
        guard state.newLine else { return false }
        if reachedEnd { return true }
        var probe = position
        while probe < text.endIndex, text[probe] == " " || text[probe] == "\t" {
            probe = text.index(after: probe)
        }
        guard probe < text.endIndex, text[probe].isNewline else { return false }
        position = text.index(after: probe)
        return true
    }

    // MARK: - Reading, as swift-mustache's `Parser`

    private var reachedEnd: Bool { position == text.endIndex }
    private var current: Character { reachedEnd ? "\0" : text[position] }
    private mutating func advance() { position = text.index(after: position) }

    private mutating func read(while predicate: (Character) -> Bool) -> Substring {
        let start = position
        while !reachedEnd, predicate(text[position]) { advance() }
        return text[start..<position]
    }

    /// The characters before the first that matches, or nil (nothing read) if none does.
    private mutating func read(until predicate: (Character) -> Bool) -> Substring? {
        let start = position
        while !reachedEnd {
            if predicate(text[position]) { return text[start..<position] }
            advance()
        }
        position = start
        return nil
    }

    private mutating func readCharacter(_ character: Character) -> Bool {
        guard !reachedEnd, text[position] == character else { return false }
        advance()
        return true
    }

    private mutating func readString(_ string: String) -> Bool {
        guard let end = text.index(position, offsetBy: string.count, limitedBy: text.endIndex),
              text[position..<end] == string else { return false }
        position = end
        return true
    }

    /// Moves past the end of the first `marker` (a comment's end); false, without moving, if there
    /// is none. The search is swift-mustache's: after a partial match it starts again at the next
    /// character, so `%%>` holds no `%>` to it, and a comment ends where swift-mustache ends it.
    private mutating func skip(past marker: String) -> Bool {
        guard !marker.isEmpty else { return true }
        let start = position
        var matched = marker.startIndex
        while !reachedEnd {
            if text[position] == marker[matched] {
                matched = marker.index(after: matched)
                if matched == marker.endIndex {
                    advance()
                    return true
                }
            } else {
                matched = marker.startIndex
            }
            advance()
        }
        position = start
        return false
    }
}
