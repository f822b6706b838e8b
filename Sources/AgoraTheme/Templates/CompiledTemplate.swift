/// A theme template parsed once into nodes that `TemplateRenderer` walks, with every name already
/// split at its dots.
///
/// The nodes are swift-mustache's tokens, made by a port of its parser (`TemplateParser`), so a
/// template means exactly what it means to swift-mustache, including where standalone tags eat
/// their line and how partials are indented.
final class CompiledTemplate: Sendable {
    let nodes: [TemplateNode]

    init(_ nodes: [TemplateNode]) {
        self.nodes = nodes
    }
}

enum TemplateNode: Sendable {
    case text(String)
    /// `{{name}}` (escaped) or `{{{name}}}` / `{{&name}}`.
    case variable(TemplateName, escaped: Bool)
    case section(TemplateName, CompiledTemplate)
    case invertedSection(TemplateName, CompiledTemplate)
    /// `{{$name}}…{{/name}}` directly inside `{{<parent}}`: an override, never rendered itself.
    case blockDefinition(name: String, CompiledTemplate)
    /// `{{$name}}default{{/name}}` anywhere else: the override from a child template, or the default.
    case blockExpansion(name: String, default: CompiledTemplate, indentation: String)
    /// `{{>name}}`, or `{{<name}}…{{/name}}` with the blocks it overrides.
    case partial(String, indentation: String?, overrides: [String: CompiledTemplate]?)
    case escaping(TemplateEscaping)
}

/// How `{{name}}` is escaped from this point of a template on (`{{% CONTENT_TYPE: … }}`).
enum TemplateEscaping: Sendable {
    case html
    case none
}

/// A variable or section name: `.` is the current object, `a.b` looks `a` up the context stack
/// and `b` inside it, `.a` looks `a` up in the current object only.
struct TemplateName: Sendable {
    enum Kind: Sendable {
        /// `.`, or an empty name: the current object.
        case current
        /// The first name up the stack, the others inside it.
        case stack
        /// A leading dot: every name from the current object.
        case anchored
    }

    let kind: Kind
    let parts: [String]

    init(_ name: String) {
        parts = name.split(separator: ".").map(String.init)
        if name == "." || parts.isEmpty {
            kind = .current
        } else if name.first == "." {
            kind = .anchored
        } else {
            kind = .stack
        }
    }
}
