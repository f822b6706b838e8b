import AgoraContent
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
    ///
    /// `checked` is false when the theme's files are known to be those a build loaded without
    /// error (an edit's patch): their templates are not parsed by swift-mustache only to find
    /// errors. swift-mustache's own templates are made only when they render something: when a
    /// template uses what only swift-mustache renders, or for `AGORA_SWIFT_MUSTACHE=1`.
    public init(directory: URL, displayName: String? = nil, checked: Bool = true) throws(ThemeError) {
        let shown = displayName ?? directory.path
        self.directory = directory
        guard FileManager.default.fileExists(atPath: directory.appendingPathComponent("templates").path) else {
            throw ThemeError([ThemeError.Problem(file: shown, line: 1, message: "no templates/ folder; is this a theme?")])
        }
        (name, version) = Self.readManifest(directory.appendingPathComponent("theme.yml"),
                                            fallbackName: directory.lastPathComponent)
        let templatesFolder = directory.appendingPathComponent("templates")
        let files = Self.files(under: templatesFolder).filter { $0.hasSuffix(".mustache") }
        // Each file on its own core: parsing is most of the load.
        let loaded = ParallelMap.map(files) { relative in
            Self.loadTemplate(relative, from: templatesFolder, shown: "\(shown)/templates/\(relative)", checked: checked)
        }
        var sources: [String: String] = [:]
        var compiled: [String: CompiledTemplate]? = [:]
        var problems: [ThemeError.Problem] = []
        for (relative, template) in zip(files, loaded) {
            switch template {
            case .broken(let problem):
                problems.append(problem)
            case .loaded(let text, let parsed):
                let templateName = String(relative.dropLast(".mustache".count))
                sources[templateName] = text
                compiled?[templateName] = parsed
                if parsed == nil { compiled = nil }
            }
        }
        guard problems.isEmpty else { throw ThemeError(problems) }
        var templates: [String: MustacheTemplate] = [:]
        if compiled == nil || Self.rendersWithSwiftMustache {
            do {
                for (templateName, text) in sources { templates[templateName] = try MustacheTemplate(string: Self.contentTypePragma + text) }
            } catch let error as MustacheTemplate.ParserError {
                throw ThemeError([.init(file: shown + "/templates", line: error.context.lineNumber,
                                        message: TemplateErrorWords.explain(error.error))])
            } catch {
                throw ThemeError([.init(file: shown + "/templates", line: 1, message: "\(error)")])
            }
        }
        library = MustacheLibrary(templates: templates)
        self.compiled = compiled
        templateNames = Set(sources.keys)
        dependencies = TemplateDependencies(sources: sources)
        do {
            assets = try ThemeAssets(directory: directory.appendingPathComponent("assets"))
        } catch {
            throw ThemeError([.init(file: "\(shown)/assets", line: 1, message: "cannot be read: \(error.localizedDescription)")])
        }
    }

    private enum LoadedTemplate: Sendable {
        case loaded(String, CompiledTemplate?)
        case broken(ThemeError.Problem)
    }

    /// One template file: its text and its compiled form (nil when only swift-mustache renders
    /// it), or the problem that names its line and column. The text is parsed as written first,
    /// unless `checked` is false, so that errors name the theme's own lines and columns.
    private static func loadTemplate(_ relative: String, from folder: URL, shown file: String,
                                     checked: Bool) -> LoadedTemplate {
        guard let data = try? Data(contentsOf: folder.appendingPathComponent(relative)),
              let text = String(data: data, encoding: .utf8) else {
            return .broken(.init(file: file, line: 1, message: "cannot be read as UTF-8"))
        }
        let parsed = try? TemplateParser.parse(contentTypePragma + text)
        guard checked || parsed == nil else { return .loaded(text, parsed) }
        do {
            _ = try MustacheTemplate(string: text)
            return .loaded(text, parsed)
        } catch let error as MustacheTemplate.ParserError {
            return .broken(.init(file: file, line: error.context.lineNumber, column: error.context.columnNumber,
                                  message: TemplateErrorWords.explain(error.error)))
        } catch {
            return .broken(.init(file: file, line: 1, message: "\(error)"))
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
        DirectoryWalk.list(folder.standardizedFileURL.path).files.sorted()
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
