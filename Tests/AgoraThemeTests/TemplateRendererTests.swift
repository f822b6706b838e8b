import Foundation
import Mustache
import Testing
@testable import AgoraTheme

/// `TemplateParser` and `TemplateRenderer` against swift-mustache itself: generated templates and
/// contexts, rendered by both, must give the same bytes.
@Suite struct TemplateRendererTests {
    /// A seeded generator, so that a failure names a case that can be run again.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Templates made of every construct the parser knows, with the whitespace and line breaks
    /// around tags that decide what is standalone and what is indented.
    struct TemplateMaker {
        var random: SplitMix
        var open = "{{"
        var close = "}}"
        /// The partials a template may include (none include themselves, directly or not).
        var partials: [String] = []

        static let names = ["a", "b", "c", "name", "list", "flag", "empty", "shared", "html", "n", "a.b", "list.name",
                            "b.c.a", ".", ".a", "missing", "missing.a", "  name  "]
        static let texts = ["x", " ", "  ", "\t", "\n", "\n", "\r\n", "<&>\"'", "é", "a b", "}", "{ x", "\u{2028}", "\r"]

        mutating func pick<T>(_ options: [T]) -> T { options[Int(random.next() % UInt64(options.count))] }
        mutating func chance(_ percent: UInt64) -> Bool { random.next() % 100 < percent }

        mutating func tag(_ body: String) -> String { open + body + close }

        /// Whitespace before a tag: often a fresh line, sometimes indented, so that tags stand alone.
        mutating func lead() -> String {
            pick(["", "", "\n", "\n  ", "\n\t", "  ", "\r\n "])
        }

        mutating func template(depth: Int, blocks: Bool = true) -> String {
            var text = ""
            for _ in 0..<Int(random.next() % 6) {
                text += lead()
                switch random.next() % 16 {
                case 0, 1: text += pick(Self.texts)
                case 2: text += tag(pick(Self.names))
                case 3: text += tag("{" + pick(Self.names) + "}") + (open == "{{" ? "" : "")
                case 4: text += tag("& " + pick(Self.names))
                case 5, 6 where depth < 3:
                    let name = pick(Self.names.filter { $0 != "." && !$0.hasPrefix(" ") })
                    let kind = pick(["#", "^"])
                    text += tag(kind + name) + lead() + template(depth: depth + 1, blocks: blocks) + lead() + tag("/" + name)
                case 7: text += tag("! a comment " + pick(["", "}", "{{", "\n"]))
                case 8 where blocks && !partials.isEmpty:
                    // Not in an override: one that includes a template expanding it would never end,
                    // here as in swift-mustache.
                    text += tag("> " + pick(partials))
                case 9 where blocks && depth < 3:
                    let name = pick(["head", "body"])
                    text += tag("$" + name) + template(depth: depth + 1, blocks: false) + tag("/" + name)
                case 10 where blocks && !partials.isEmpty && depth < 2:
                    let parent = pick(partials)
                    text += tag("<" + parent) + pick(["", "\n", "\n  "])
                    for name in ["head", "body"] where chance(60) {
                        text += tag("$" + name) + template(depth: depth + 1, blocks: false) + tag("/" + name) + pick(["", "\n", "\n  "])
                    }
                    text += tag("/" + parent)
                case 11: text += tag("% CONTENT_TYPE: " + pick(["TEXT", "HTML", FastHTMLContentType.name]))
                case 12 where depth == 0 && open == "{{":
                    text += tag("=<% %>=")
                    open = "<%"
                    close = "%>"
                default: text += pick(Self.texts) + pick(Self.texts)
                }
                text += pick(["", "", "\n", " \n", "\t\r\n", " "])
            }
            return text
        }
    }

    /// Contexts of every kind of value the renderer classifies, nested.
    struct ContextMaker {
        var random: SplitMix
        mutating func pick<T>(_ options: [T]) -> T { options[Int(random.next() % UInt64(options.count))] }

        mutating func value(depth: Int) -> Any {
            switch random.next() % (depth < 3 ? 14 : 7) {
            case 0: return pick(["", "plain", "<b>&amp;\"'</b>", "é ü", "line\nbreak"])
            case 1: return Int(random.next() % 20) - 5
            case 2: return random.next() % 2 == 0
            case 3: return DeferredHTML("<em>made</em>")
            case 4: return [String]()
            case 5: return ["x", "<y>"]
            case 6: return 2.5
            case 7, 8: return dictionary(depth: depth + 1)
            case 9: return (0..<Int(random.next() % 3)).map { _ in dictionary(depth: depth + 1) }
            case 10: return (0..<Int(random.next() % 3)).map { _ in value(depth: depth + 1) }
            case 11: return SharedValues(dictionary(depth: depth + 1), adding: ["name": "extra"], key: "k")
            case 12: return Optional<String>.none as Any
            default: return Set(["only"])
            }
        }

        mutating func dictionary(depth: Int) -> [String: Any] {
            var values: [String: Any] = [:]
            for key in ["a", "b", "c", "name", "list", "flag", "empty", "shared", "html", "n"] where random.next() % 3 != 0 {
                values[key] = value(depth: depth)
            }
            return values
        }
    }

    @Test func rendersGeneratedTemplatesAsSwiftMustacheDoes() throws {
        var compared = 0
        for seed in 0..<10_000 as Range<UInt64> {
            var maker = TemplateMaker(random: SplitMix(state: seed))
            var sources: [String: String] = [:]
            sources["p1"] = maker.template(depth: 1)
            maker.open = "{{"; maker.close = "}}"
            maker.partials = ["p1"]
            sources["parent"] = maker.template(depth: 0)
            maker.open = "{{"; maker.close = "}}"
            maker.partials = ["p1", "parent"]
            sources["main"] = maker.template(depth: 0)

            let theirs: [String: MustacheTemplate]
            do {
                theirs = try sources.mapValues { try MustacheTemplate(string: Theme.contentTypePragma + $0) }
            } catch {
                continue
            }
            var ours: [String: CompiledTemplate] = [:]
            for (name, source) in sources {
                do {
                    ours[name] = try TemplateParser.parse(Theme.contentTypePragma + source)
                } catch {
                    Issue.record("seed \(seed): \(name) parsed by swift-mustache, not by TemplateParser (\(error)):\n\(source.debugDescription)")
                }
            }
            guard let main = ours["main"] else { continue }
            var contexts = ContextMaker(random: SplitMix(state: seed &* 7919))
            let context = contexts.dictionary(depth: 0)
            let expected = MustacheLibrary(templates: theirs).render(context, withTemplate: "main")
            let actual = TemplateRenderer.render(main, context, templates: ours)
            #expect(actual == expected, "seed \(seed):\n\(sources.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value.debugDescription)" }.joined(separator: "\n"))\ncontext: \(context)")
            if actual != expected { return }
            compared += 1
        }
        // Most generated cases parse; a fall in this count would mean the generator went wrong.
        #expect(compared > 5_000, "only \(compared) cases compared")
    }

    @Test func unsupportedConstructsAreLeftToSwiftMustache() throws {
        for source in ["{{uppercased(name)}}", "{{#reversed(list)}}{{.}}{{/reversed(list)}}", "{{>*dynamic}}", "{{<*dynamic}}{{/*dynamic}}"] {
            #expect(throws: TemplateParser.Failure.unsupported) { try TemplateParser.parse(source) }
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("agora-theme-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("templates"), withIntermediateDirectories: true)
        for (name, text) in ["page": "{{uppercased(name)}} {{>part}}", "part": "{{name}}"] {
            try Data(text.utf8).write(to: folder.appendingPathComponent("templates/\(name).mustache"))
        }
        #expect(try Theme(directory: folder).render("page", ["name": "mug"]) == "MUG mug")
    }
}
