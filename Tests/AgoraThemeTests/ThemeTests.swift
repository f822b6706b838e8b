import Foundation
import Mustache
import Testing
@testable import AgoraTheme

@Suite struct ThemeTests {
    /// A theme folder with the given templates and assets.
    private func makeTheme(templates: [String: String], assets: [String: String] = [:]) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("agora-theme-\(UUID().uuidString)")
        for (name, text) in templates {
            let url = root.appendingPathComponent("templates/\(name).mustache")
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        for (name, text) in assets {
            let url = root.appendingPathComponent("assets/\(name)")
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        try Data("name: test\nversion: \"2.1\"\n".utf8).write(to: root.appendingPathComponent("theme.yml"))
        return root
    }

    @Test func escapesEveryValueUnlessTripleBraced() throws {
        let theme = try Theme(directory: try makeTheme(templates: ["page": "<p title=\"{{name}}\">{{name}}</p>{{{html}}}"]))
        let output = try theme.render("page", ["name": "<script>alert('x') & \"y\"</script>", "html": "<em>ok</em>"])
        #expect(output == "<p title=\"&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;\">"
            + "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;</p><em>ok</em>")
    }

    /// `{{name}}` goes through `Escaping.html` in every template, partial, parent and block, and
    /// the output is what swift-mustache's own escaping gives, but for a `<` with a combining mark
    /// (one `Character`, which swift-mustache leaves as it is).
    @Test func fastEscapingEverywhereAndTheSameOutput() throws {
        let templates = [
            "base": "{{#list}}\n<li>{{.}}</li>\n{{/list}}\n<title>{{$title}}{{name}}{{/title}}</title>\n",
            "partials/name": "<b>{{name}}</b>\n",
            "page": "{{<base}}\n{{$title}}{{>partials/name}}{{/title}}\n{{/base}}\n",
            "text": "{{% CONTENT_TYPE: TEXT }}\n{{name}}\n",
        ]
        let theme = try Theme(directory: try makeTheme(templates: templates))
        let library = MustacheLibrary(templates: try templates.mapValues { try MustacheTemplate(string: $0) })
        let values: [String: Any] = ["name": "Ça & <b>\"x\"</b> 'y' → ☕️", "list": ["a<b", "c>d", "e&f"]]
        for name in ["base", "partials/name", "page", "text"] {
            #expect(try theme.render(name, values) == library.render(values, withTemplate: name))
        }
        #expect(try theme.render("partials/name", ["name": "<\u{301}"]) == "<b>&lt;\u{301}</b>\n")
        #expect(library.render(["name": "<\u{301}"], withTemplate: "partials/name") == "<b><\u{301}</b>\n")
        #expect(try theme.render("text", ["name": "a<b"]) == "a<b\n")
    }

    /// The byte-level escaping gives what escaping each Unicode scalar would.
    @Test func escapingMatchesScalarByScalar() {
        func scalarwise(_ text: String, xml: Bool) -> String {
            var result = ""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "&": result += "&amp;"
                case "<": result += "&lt;"
                case ">": result += "&gt;"
                case "\"": result += "&quot;"
                case "'": result += "&#39;"
                default:
                    if xml, scalar.value < 0x20, scalar != "\t", scalar != "\n" { continue }
                    result.unicodeScalars.append(scalar)
                }
            }
            return result
        }
        let alphabet: [Character] = ["a", "Z", " ", "<", ">", "&", "\"", "'", "\t", "\n", "\r", "\u{1}", "\u{1f}", "é", "☕️", "\u{301}", "𝄞", "\u{7f}"]
        var generator = SystemRandomNumberGenerator()
        for length in 0..<40 {
            for _ in 0..<25 {
                let text = String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
                #expect(Escaping.xml(text) == scalarwise(text, xml: true), "\(text.debugDescription)")
                #expect(Escaping.html(text) == scalarwise(text, xml: false), "\(text.debugDescription)")
            }
        }
    }

    @Test func supportsLayoutsBlocksAndPartials() throws {
        let theme = try Theme(directory: try makeTheme(templates: [
            "base": "<title>{{$title}}Shop{{/title}}</title><main>{{$content}}{{/content}}</main>",
            "partials/price": "<b>{{price}}</b>",
            "product": "{{<base}}{{$title}}{{name}}{{/title}}{{$content}}{{name}} {{>partials/price}}{{/content}}{{/base}}",
        ]))
        #expect(theme.name == "test")
        #expect(theme.version == "2.1")
        #expect(try theme.render("product", ["name": "Tea", "price": "12.50"])
            == "<title>Tea</title><main>Tea <b>12.50</b></main>")
    }

    @Test func reportsBrokenTemplatesWithFileAndLine() throws {
        let folder = try makeTheme(templates: ["ok": "fine", "broken": "line one\n{{#items}}\nno end\n", "bad": "{{#a}}{{/b}}",
                                               "open": "<h1>\n  {{product.name</h1>\n"])
        #expect(throws: ThemeError.self) { try Theme(directory: folder, displayName: "themes/test") }
        do {
            _ = try Theme(directory: folder, displayName: "themes/test")
        } catch {
            let lines = error.description.split(separator: "\n")
            #expect(lines.count == 3)
            // File, line and column, and what is wrong in words rather than the parser's case name.
            #expect(lines.contains { $0.hasPrefix("themes/test/templates/broken.mustache:")
                && $0.hasSuffix(": template: a section is never closed: {{#name}}, {{^name}}, {{$name}} and {{<name}} each need a matching {{/name}}") })
            #expect(lines.contains { $0.hasPrefix("themes/test/templates/bad.mustache:1:")
                && $0.contains(": template: this closing tag does not match the section it closes") })
            #expect(lines.contains {
                $0.range(of: #"^themes/test/templates/open\.mustache:2:\d+: template: a tag is not finished"#, options: .regularExpression) != nil
            })
            #expect(!error.description.contains("unfinishedName"))
        }
    }

    /// A load that skips the parse only looking for errors (an edit's patch, whose theme files the
    /// last build loaded without any) renders what a checked load renders, templates only
    /// swift-mustache reads included, and a broken template still fails it with its line.
    /// A template depends on the partials and parents it names, and on what they name in turn:
    /// its digest moves with theirs and with nothing else.
    @Test func aTemplatesDigestFollowsWhatItIncludes() throws {
        #expect(TemplateDependencies.references(in: "a {{> partials/price }} b {{<base}}{{/base}} {{{raw}}} {{name}} é{{>*dynamic}}")
            == ["partials/price", "base", "*"])
        #expect(TemplateDependencies.references(in: "{{>unterminated") == [])
        #expect(TemplateDependencies.references(in: "{{") == [] && TemplateDependencies.references(in: "") == [])

        let sources = ["base": "<main>{{$content}}{{/content}}</main>", "partials/price": "<b>{{price}}</b>",
                       "product": "{{<base}}{{$content}}{{>partials/price}}{{/content}}{{/base}}", "other": "{{name}}"]
        let digests = TemplateDependencies(sources: sources).digests
        var priceChanged = sources
        priceChanged["partials/price"] = "<i>{{price}}</i>"
        var otherChanged = sources
        otherChanged["other"] = "{{title}}"
        #expect(TemplateDependencies(sources: priceChanged).digests["product"] != digests["product"])
        #expect(TemplateDependencies(sources: otherChanged).digests["product"] == digests["product"])
        #expect(TemplateDependencies(sources: otherChanged).digests["other"] != digests["other"])
    }

    @Test func anUncheckedLoadRendersAsACheckedOne() throws {
        let folder = try makeTheme(templates: [
            "base": "<title>{{$title}}Shop{{/title}}</title><main>{{$content}}{{/content}}</main>",
            "partials/price": "<b>{{price}}</b>",
            "product": "{{<base}}{{$title}}{{name}}{{/title}}{{$content}}{{name}} {{>partials/price}}{{/content}}{{/base}}",
            "shout": "{{uppercased(name)}} {{>partials/price}}",
        ])
        let checked = try Theme(directory: folder)
        let unchecked = try Theme(directory: folder, checked: false)
        let context: [String: Any] = ["name": "Tea <b>", "price": "12.50"]
        for template in ["product", "shout"] {
            #expect(try unchecked.render(template, context) == checked.render(template, context))
        }
        #expect(try unchecked.render("shout", context) == "TEA &lt;B&gt; <b>12.50</b>")
        #expect(unchecked.templateDigest("product") == checked.templateDigest("product"))

        let broken = try makeTheme(templates: ["ok": "fine", "broken": "line one\n{{#items}}\nno end\n"])
        #expect(throws: ThemeError.self) { try Theme(directory: broken, displayName: "themes/test", checked: false) }
        do {
            _ = try Theme(directory: broken, displayName: "themes/test", checked: false)
        } catch {
            #expect(error.description.hasPrefix("themes/test/templates/broken.mustache:"))
        }
    }

    @Test func missingTemplateIsAnError() throws {
        let theme = try Theme(directory: try makeTheme(templates: ["a": "x"]))
        #expect(throws: ThemeError.self) { try theme.render("nope", [:]) }
    }

    @Test func assetsGetContentHashedNames() throws {
        let first = try Theme(directory: try makeTheme(templates: ["a": ""], assets: ["style.css": "body{}", "img/logo.svg": "<svg/>"]))
        let same = try Theme(directory: try makeTheme(templates: ["a": ""], assets: ["style.css": "body{}"]))
        let changed = try Theme(directory: try makeTheme(templates: ["a": ""], assets: ["style.css": "body{color:red}"]))
        let url = try #require(first.assets.url(for: "style.css"))
        #expect(url.hasPrefix("/assets/style.") && url.hasSuffix(".css"))
        #expect(url.count == "/assets/style.".count + 10 + ".css".count)
        #expect(same.assets.url(for: "style.css") == url)
        #expect(changed.assets.url(for: "style.css") != url)
        #expect(first.assets.templateValues["style_css"] == url)
        #expect(first.assets.templateValues["img_logo_svg"]?.hasPrefix("/assets/img/logo.") == true)
    }

    @Test func xmlEscaping() {
        #expect(Escaping.xml("a < b & \"c\" 'd'\u{1}") == "a &lt; b &amp; &quot;c&quot; &#39;d&#39;")
    }
}
