import Foundation
import Mustache
import Yams

/// A loaded theme: its Mustache templates and its fingerprinted assets (SPEC §4).
///
/// The same value renders static pages in `agora build` and dynamic pages in `agora serve`, so
/// the whole site looks like one site.
public struct Theme: Sendable {
    public let name: String
    public let version: String
    public let directory: URL
    public let assets: ThemeAssets
    private let library: MustacheLibrary
    /// The same templates for `TemplateRenderer`; nil when one of them uses what only
    /// swift-mustache renders (transforms, dynamic partials), and `library` renders everything.
    private let compiled: [String: CompiledTemplate]?
    private let templateNames: Set<String>
    private let dependencies: TemplateDependencies

    /// Loads `theme.yml`, every `templates/**/*.mustache` and every file under `assets/`.
    /// Reports every broken template at once.
    public init(directory: URL, displayName: String? = nil) throws(ThemeError) {
        let shown = displayName ?? directory.path
        self.directory = directory
        guard FileManager.default.fileExists(atPath: directory.appendingPathComponent("templates").path) else {
            throw ThemeError([ThemeError.Problem(file: shown, line: 1, message: "no templates/ folder; is this a theme?")])
        }
        (name, version) = Self.readManifest(directory.appendingPathComponent("theme.yml"),
                                            fallbackName: directory.lastPathComponent)
        let templatesFolder = directory.appendingPathComponent("templates")
        var templates: [String: MustacheTemplate] = [:]
        var sources: [String: String] = [:]
        var compiled: [String: CompiledTemplate]? = [:]
        var problems: [ThemeError.Problem] = []
        for relative in Self.files(under: templatesFolder) where relative.hasSuffix(".mustache") {
            let file = "\(shown)/templates/\(relative)"
            guard let data = try? Data(contentsOf: templatesFolder.appendingPathComponent(relative)),
                  let text = String(data: data, encoding: .utf8) else {
                problems.append(.init(file: file, line: 1, message: "cannot be read as UTF-8"))
                continue
            }
            do {
                let templateName = String(relative.dropLast(".mustache".count))
                // Parsed as written first, so that errors name the theme's own lines and columns.
                _ = try MustacheTemplate(string: text)
                templates[templateName] = try MustacheTemplate(string: Self.contentTypePragma + text)
                sources[templateName] = text
                compiled?[templateName] = try? TemplateParser.parse(Self.contentTypePragma + text)
                if compiled?[templateName] == nil { compiled = nil }
            } catch let error as MustacheTemplate.ParserError {
                problems.append(.init(file: file, line: error.context.lineNumber, column: error.context.columnNumber,
                                      message: TemplateErrorWords.explain(error.error)))
            } catch {
                problems.append(.init(file: file, line: 1, message: "\(error)"))
            }
        }
        guard problems.isEmpty else { throw ThemeError(problems) }
        library = MustacheLibrary(templates: templates)
        self.compiled = compiled
        templateNames = Set(templates.keys)
        dependencies = TemplateDependencies(sources: sources)
        do {
            assets = try ThemeAssets(directory: directory.appendingPathComponent("assets"))
        } catch {
            throw ThemeError([.init(file: "\(shown)/assets", line: 1, message: "cannot be read: \(error.localizedDescription)")])
        }
    }

    /// Put before every template: `{{name}}` is escaped by `FastHTMLContentType`. It has to open
    /// each file, as swift-mustache starts every partial and parent with its own HTML escaping;
    /// a theme's own `{{% CONTENT_TYPE: TEXT }}` comes later and still wins. On a line of its
    /// own, the tag leaves no trace in the output.
    static let contentTypePragma: String = {
        FastHTMLContentType.registered
        return "{{% CONTENT_TYPE: \(FastHTMLContentType.name) }}\n"
    }()

    /// `AGORA_SWIFT_MUSTACHE=1` renders every template with swift-mustache: for measuring, and
    /// for checking that both give the same bytes (`compiledTemplatesBuildWhatSwiftMustacheBuilds`).
    static let rendersWithSwiftMustache = ProcessInfo.processInfo.environment["AGORA_SWIFT_MUSTACHE"] == "1"

    public func hasTemplate(_ name: String) -> Bool { templateNames.contains(name) }

    /// A digest of template `name` together with every partial and parent it includes: equal
    /// digests mean the template renders any context exactly as before.
    public func templateDigest(_ name: String) -> UInt64 { dependencies.digests[name] ?? 0 }

    /// Renders template `name` (e.g. `product`, `mail/order_created.txt`) with a context of
    /// dictionaries, arrays, strings, numbers and booleans.
    public func render(_ name: String, _ context: [String: Any]) throws(ThemeError) -> String {
        if !Self.rendersWithSwiftMustache, let compiled, let template = compiled[name] {
            return TemplateRenderer.render(template, context, templates: compiled)
        }
        guard let output = library.render(context, withTemplate: name) else {
            throw ThemeError([.init(file: "\(directory.lastPathComponent)/templates/\(name).mustache", line: 1,
                                    message: "template is missing from the theme")])
        }
        return output
    }

    private static func readManifest(_ url: URL, fallbackName: String) -> (String, String) {
        guard let text = try? String(contentsOf: url, encoding: .utf8),
              let node = try? Yams.compose(yaml: text) else { return (fallbackName, "0") }
        return (node["name"]?.string ?? fallbackName, node["version"]?.string ?? "0")
    }

    /// Regular files under `folder`, relative and sorted, hidden files skipped.
    static func files(under folder: URL) -> [String] {
        guard let enumerator = FileManager.default.enumerator(
            at: folder, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles]
        ) else { return [] }
        let root = folder.standardizedFileURL.path
        var result: [String] = []
        for case let url as URL in enumerator where (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true {
            var relative = url.standardizedFileURL.path
            if relative.hasPrefix(root) { relative.removeFirst(root.count) }
            while relative.hasPrefix("/") { relative.removeFirst() }
            result.append(relative)
        }
        return result.sorted()
    }
}

/// Problems in a theme, one `file:line: template: message` line each.
public struct ThemeError: Error, Sendable, CustomStringConvertible {
    public struct Problem: Sendable, Hashable {
        public let file: String
        public let line: Int
        /// 1-based, when the parser knows where on the line the problem is.
        public var column: Int? = nil
        public let message: String
    }

    public let problems: [Problem]

    init(_ problems: [Problem]) {
        self.problems = problems
    }

    public var description: String {
        problems.map { problem in
            let place = problem.column.map { "\(problem.line):\($0)" } ?? "\(problem.line)"
            return "\(problem.file):\(place): template: \(problem.message)"
        }.joined(separator: "\n")
    }
}
