import Mustache

/// Renders `CompiledTemplate`s into one string, with swift-mustache's meaning.
///
/// swift-mustache renders every section and partial into a string of its own, splits each name
/// at its dots on every look-up, copies the context stack for every section and asks each value
/// which of its protocols it conforms to (`MustacheParent`, `MustacheSequence`, …) each time it
/// is touched; that was most of a cold build's rendering time. Here a value is classified once,
/// when it is found (`RenderValue`), the stack is one array pushed and popped, and the output one
/// string. What the values may be: strings, integers, booleans, `[String: Any]`, arrays,
/// `SharedValues`, `DeferredHTML` — anything else is taken as swift-mustache takes it
/// (`MustacheParent`, `MustacheCustomRenderable`, `Mirror`), except lambdas and templates, which
/// Agora's contexts never hold.
struct TemplateRenderer {
    private let templates: [String: CompiledTemplate]
    private var output = ""
    private var stack: [RenderValue] = []

    init(templates: [String: CompiledTemplate]) {
        self.templates = templates
    }

    /// What swift-mustache's context carries besides the stack.
    private struct Frame {
        var indentation: String?
        var overrides: [String: CompiledTemplate]?
        var escaping: TemplateEscaping
    }

    static func render(_ template: CompiledTemplate, _ context: Any, templates: [String: CompiledTemplate]) -> String {
        var renderer = TemplateRenderer(templates: templates)
        renderer.stack.reserveCapacity(8)
        renderer.stack.append(RenderValue(context))
        renderer.render(template, Frame(indentation: nil, overrides: nil, escaping: .html))
        return renderer.output
    }

    // MARK: - Nodes

    private mutating func render(_ template: CompiledTemplate, _ initial: Frame) {
        var frame = initial
        guard let indentation = frame.indentation, !indentation.isEmpty else {
            for node in template.nodes { render(node, &frame) }
            return
        }
        // swift-mustache indents what a node adds when this template's own output so far ends
        // with a line break ("\n" as a whole `Character`, so not "\r\n").
        let start = output.utf8.count
        for node in template.nodes {
            let before = output.utf8.count
            render(node, &frame)
            guard output.utf8.count > before, before > start else { continue }
            let utf8 = output.utf8
            let end = utf8.index(utf8.startIndex, offsetBy: before)
            let endsLine = utf8[utf8.index(before: end)] == 0x0A
                && !(before - 2 >= start && utf8[utf8.index(end, offsetBy: -2)] == 0x0D)
            if endsLine {
                output.insert(contentsOf: indentation, at: end)
            }
        }
    }

    private mutating func render(_ node: TemplateNode, _ frame: inout Frame) {
        switch node {
        case .text(let text):
            output += text
        case .variable(let name, let escaped):
            guard let value = find(name) else { return }
            write(value, escaping: escaped ? frame.escaping : .none)
        case .section(let name, let template):
            renderSection(find(name), template, frame)
        case .invertedSection(let name, let template):
            renderInvertedSection(find(name), template, frame)
        case .blockDefinition:
            // Only ever inside a parent's overrides, which the parser takes out.
            break
        case .blockExpansion(let name, let defaultTemplate, let indentation):
            var inner = frame
            inner.indentation = (frame.indentation ?? "") + indentation
            render(frame.overrides?[name] ?? defaultTemplate, inner)
        case .partial(let name, let indentation, let overrides):
            guard let template = templates[name] else { return }
            var inner = Frame(indentation: frame.indentation, overrides: frame.overrides, escaping: .html)
            if let indentation { inner.indentation = (frame.indentation ?? "") + indentation }
            if let overrides {
                // An override from further out wins, as in swift-mustache.
                inner.overrides = frame.overrides?.merging(overrides) { outer, _ in outer } ?? overrides
            }
            render(template, inner)
        case .escaping(let escaping):
            frame.escaping = escaping
        }
    }

    private mutating func renderSection(_ value: RenderValue?, _ template: CompiledTemplate, _ frame: Frame) {
        guard let value else { return }
        switch value {
        case .bool(let flag):
            if flag { render(template, frame) }
        case .dictionaries(let list):
            for element in list { renderPushed(.dictionary(element), template, frame) }
        case .list(let list):
            for element in list { renderPushed(RenderValue(element), template, frame) }
        case .other(let object):
            if let sequence = object as? any MustacheSequence {
                for element in Self.elements(of: sequence) { renderPushed(RenderValue(element), template, frame) }
            } else if let renderable = object as? MustacheCustomRenderable, renderable.isNull {
                return
            } else {
                renderPushed(value, template, frame)
            }
        case .string, .int, .dictionary, .shared, .deferred:
            renderPushed(value, template, frame)
        }
    }

    private mutating func renderInvertedSection(_ value: RenderValue?, _ template: CompiledTemplate, _ frame: Frame) {
        guard let value else { return render(template, frame) }
        switch value {
        case .bool(let flag):
            if !flag { render(template, frame) }
        case .dictionaries(let list):
            if list.isEmpty { renderPushed(value, template, frame) }
        case .list(let list):
            if list.isEmpty { renderPushed(value, template, frame) }
        case .other(let object):
            if let sequence = object as? any MustacheSequence {
                if Self.elements(of: sequence).isEmpty { renderPushed(value, template, frame) }
            } else if let renderable = object as? MustacheCustomRenderable, renderable.isNull {
                render(template, frame)
            }
        case .string, .int, .dictionary, .shared, .deferred:
            return
        }
    }

    private mutating func renderPushed(_ value: RenderValue, _ template: CompiledTemplate, _ frame: Frame) {
        stack.append(value)
        render(template, frame)
        stack.removeLast()
    }

    private static func elements<S: Sequence>(of sequence: S) -> [Any] {
        sequence.map { $0 as Any }
    }

    // MARK: - Values

    private mutating func write(_ value: RenderValue, escaping: TemplateEscaping) {
        switch value {
        case .string(let text):
            append(text, escaping)
        case .int(let number):
            append(String(number), escaping)
        case .bool(let flag):
            append(flag ? "true" : "false", escaping)
        case .deferred(let html):
            append(html.renderText, escaping)
        case .other(let object):
            if let renderable = object as? MustacheCustomRenderable {
                append(renderable.renderText, escaping)
            } else {
                append(String(describing: unwrappingOptional(object)), escaping)
            }
        case .dictionary(let object as Any), .shared(let object as Any), .dictionaries(let object as Any), .list(let object as Any):
            append(String(describing: object), escaping)
        }
    }

    private mutating func append(_ text: String, _ escaping: TemplateEscaping) {
        switch escaping {
        case .html: output += Escaping.html(text)
        case .none: output += text
        }
    }

    /// swift-mustache's `getChild`, without transforms.
    private func find(_ name: TemplateName) -> RenderValue? {
        guard let top = stack.last else { return nil }
        switch name.kind {
        case .current:
            return top
        case .anchored:
            return descend(from: top, through: name.parts[...])
        case .stack:
            let first = name.parts[0]
            for object in stack.reversed() {
                if let found = child(named: first, of: object) {
                    return descend(from: found, through: name.parts.dropFirst())
                }
            }
            return nil
        }
    }

    private func descend(from value: RenderValue, through names: ArraySlice<String>) -> RenderValue? {
        var value = value
        for name in names {
            guard let found = child(named: name, of: value) else { return nil }
            value = found
        }
        return value
    }

    private func child(named name: String, of value: RenderValue) -> RenderValue? {
        switch value {
        case .dictionary(let dictionary):
            return dictionary[name].flatMap(RenderValue.found)
        case .shared(let shared):
            return shared.child(named: name).flatMap(RenderValue.found)
        case .string, .int, .bool, .dictionaries, .list:
            // Nothing has children by these names: swift-mustache's `Mirror` finds none.
            return nil
        case .deferred(let object as Any), .other(let object):
            var object: Any? = object
            if let custom = object as? MustacheCustomRepresentation { object = custom.representation }
            if let parent = object as? MustacheParent { return parent.child(named: name).flatMap(RenderValue.found) }
            guard let object else { return nil }
            guard let match = Mirror(reflecting: object).children.first(where: { $0.label == name }) else { return nil }
            let mirror = Mirror(reflecting: match.value)
            guard mirror.displayStyle == .optional else { return RenderValue.found(match.value) }
            return mirror.children.first.flatMap { RenderValue.found($0.value) }
        }
    }

    private func unwrappingOptional(_ value: Any) -> Any {
        guard let optional = value as? any OptionalValue else { return value }
        return optional.wrappedAny ?? value
    }
}

/// A value found in a context, classified once so that rendering it needs no further casts.
enum RenderValue {
    case string(String)
    case bool(Bool)
    case int(Int)
    case dictionary([String: Any])
    case dictionaries([[String: Any]])
    case list([Any])
    case shared(SharedValues)
    case deferred(DeferredHTML)
    /// Anything else, handled by swift-mustache's protocols.
    case other(Any)

    init(_ value: Any) {
        // The exact type first: comparing type metadata is cheap, a failing cast is not.
        let type = Swift.type(of: value)
        if type == String.self, let text = value as? String {
            self = .string(text)
        } else if type == [String: Any].self, let dictionary = value as? [String: Any] {
            self = .dictionary(dictionary)
        } else if type == Bool.self, let flag = value as? Bool {
            self = .bool(flag)
        } else if type == Int.self, let number = value as? Int {
            self = .int(number)
        } else if type == SharedValues.self, let shared = value as? SharedValues {
            self = .shared(shared)
        } else if type == DeferredHTML.self, let html = value as? DeferredHTML {
            self = .deferred(html)
        } else if type == [[String: Any]].self, let list = value as? [[String: Any]] {
            self = .dictionaries(list)
        } else if type == [Any].self, let list = value as? [Any] {
            self = .list(list)
        } else if type == [SharedValues].self, let list = value as? [SharedValues] {
            self = .list(list.map { $0 })
        } else {
            self.init(classifying: value)
        }
    }

    /// Any other type, by casts: an optional, `[String: String]` or `[SharedValues]` lands here.
    private init(classifying value: Any) {
        switch value {
        case let text as String: self = .string(text)
        case let dictionary as [String: Any]: self = .dictionary(dictionary)
        case let flag as Bool: self = .bool(flag)
        case let number as Int: self = .int(number)
        case let shared as SharedValues: self = .shared(shared)
        case let html as DeferredHTML: self = .deferred(html)
        case let list as [[String: Any]]: self = .dictionaries(list)
        case let list as [Any]: self = .list(list)
        default: self = .other(value)
        }
    }

    /// A look-up's result: swift-mustache unwraps `MustacheCustomRepresentation` (`NSNull`) here.
    static func found(_ value: Any) -> RenderValue? {
        let classified = RenderValue(value)
        guard case .other(let object) = classified, let custom = object as? MustacheCustomRepresentation else {
            return classified
        }
        return custom.representation.map { RenderValue($0) }
    }
}

private protocol OptionalValue {
    var wrappedAny: Any? { get }
}

extension Optional: OptionalValue {
    var wrappedAny: Any? { self }
}
