import AgoraTestSupport
import Foundation
import Testing

/// Runs the real `agora` binary, as a user would.
@Suite struct CommandLineTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// The `agora` executable built next to this test bundle.
    static var binary: URL {
        let buildFolder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [buildFolder, buildFolder.deletingLastPathComponent()].map { $0.appendingPathComponent("agora") }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
            ?? repository.appendingPathComponent(".build/debug/agora")
    }

    func agora(_ arguments: [String], in directory: URL? = nil, input: String? = nil,
               environment: [String: String] = [:]) throws -> Result {
        let run = try ChildProcess.run(Self.binary.path, arguments, environment: environment, directory: directory?.path,
                                       input: input.map { Data($0.utf8) })
        return Result(status: run.status, stdout: run.output, stderr: run.error)
    }

    func temporaryFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("agora-cli-\(UUID().uuidString)")
    }

    @Test func initCreatesASiteThatBuilds() throws {
        let site = temporaryFolder()
        let created = try agora(["init", site.path])
        #expect(created.status == 0, "\(created.stderr)")
        #expect(FileManager.default.fileExists(atPath: site.appendingPathComponent("content/site.yml").path))
        #expect(FileManager.default.fileExists(atPath: site.appendingPathComponent("themes/default/templates/base.mustache").path))

        let built = try agora(["build", "--site", site.path])
        #expect(built.status == 0, "\(built.stderr)")
        let lastLine = built.stdout.split(separator: "\n").last.map(String.init) ?? ""
        #expect(lastLine.hasPrefix("Built "), "the summary must be the last line: \(built.stdout)")
        #expect(lastLine.contains(" pages in "))
        #expect(lastLine.contains("products, "))
        #expect(built.stdout.contains("Search index: search.json, "))
        #expect(!built.stderr.contains("\r"))  // no progress bar when stderr is not a terminal
        #expect(FileManager.default.fileExists(atPath: site.appendingPathComponent("output/index.html").path))

        let quiet = try agora(["build", "--quiet"], in: site)
        #expect(quiet.status == 0)
        #expect(quiet.stdout.isEmpty)

        let again = try agora(["init", site.path])
        #expect(again.status != 0)
        #expect(again.stderr.contains("is not empty"))
    }

    /// The sample site, every page and feed, is byte for byte the same whether its templates are
    /// rendered by Agora's compiled templates or by swift-mustache (`AGORA_SWIFT_MUSTACHE=1`).
    @Test func compiledTemplatesBuildWhatSwiftMustacheBuilds() throws {
        let compiled = temporaryFolder()
        let reference = temporaryFolder()
        defer { for folder in [compiled, reference] { try? FileManager.default.removeItem(at: folder) } }
        #expect(try agora(["init", compiled.path]).status == 0)
        try FileManager.default.copyItem(at: compiled, to: reference)
        let built = try agora(["build", "--site", compiled.path, "--quiet"])
        #expect(built.status == 0, "\(built.stderr)")
        let builtByReference = try agora(["build", "--site", reference.path, "--quiet"], environment: ["AGORA_SWIFT_MUSTACHE": "1"])
        #expect(builtByReference.status == 0, "\(builtByReference.stderr)")

        let ours = try Self.files(under: compiled.appendingPathComponent("output"))
        let theirs = try Self.files(under: reference.appendingPathComponent("output"))
        #expect(ours.keys.sorted() == theirs.keys.sorted())
        #expect(ours.keys.filter { $0.hasSuffix(".html") }.count > 50)
        for (path, data) in ours where theirs[path] != data {
            Issue.record("\(path) differs between the two renderers")
        }
    }

    /// Every regular file under `folder`, by its relative path.
    static func files(under folder: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let prefix = folder.standardizedFileURL.path + "/"
        guard let walk = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey]) else { return [:] }
        for case let url as URL in walk where try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true {
            files[String(url.standardizedFileURL.path.dropFirst(prefix.count))] = try Data(contentsOf: url)
        }
        return files
    }

    @Test func checkAndBuildPrintEveryProblemAndExitOne() throws {
        let site = temporaryFolder()
        _ = try agora(["init", site.path])
        #expect(try agora(["build"], in: site).status == 0)
        let index = site.appendingPathComponent("output/index.html")
        let before = try Data(contentsOf: index)

        let broken = site.appendingPathComponent("content/products/broken.md")
        try Data("---\nname: Broken\ncategory: nowhere\nprice: 12.5x\nmaker: nobody\n---\n".utf8).write(to: broken)
        for command in ["check", "build"] {
            let result = try agora([command], in: site)
            #expect(result.status == 1)
            let lines = result.stderr.split(separator: "\n").map(String.init)
            #expect(lines.contains { $0.hasPrefix("content/products/broken.md:3: category: \"nowhere\" does not exist (known: ") })
            #expect(lines.contains("content/products/broken.md:4: price: \"12.5x\" is not a decimal amount"))
            #expect(lines.contains { $0.hasPrefix("content/products/broken.md:5: maker: \"nobody\" does not exist") })
            #expect(lines.last?.hasPrefix("Error: 3 problems") == true)
        }
        #expect(try Data(contentsOf: index) == before)
    }

    @Test func checkWritesNothing() throws {
        let site = temporaryFolder()
        _ = try agora(["init", site.path])
        let result = try agora(["check", "--site", site.path])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("Content is valid: "))
        let output = try FileManager.default.contentsOfDirectory(atPath: site.appendingPathComponent("output").path)
        #expect(output.isEmpty)
    }

    @Test func everyCommandHasHelp() throws {
        let top = try agora(["--help"])
        #expect(top.status == 0)
        for command in ["init", "build", "check"] { #expect(top.stdout.contains(command)) }
        let build = try agora(["build", "--help"])
        for option in ["--site", "--content", "--theme", "--output", "--drafts", "--quiet"] {
            #expect(build.stdout.contains(option), "build --help lacks \(option)")
        }
        #expect(try agora(["check", "--help"]).status == 0)
        #expect(try agora(["init", "--help"]).status == 0)
    }

    /// Help reads as whole sentences at 80 columns: no line runs past the edge, and the prose above
    /// USAGE is wrapped by the parser, not broken where the source file happened to break it.
    @Test func helpFitsEightyColumnsInWholeSentences() throws {
        let commands: [[String]] = [
            [], ["init"], ["build"], ["check"], ["serve"], ["new"], ["users"], ["users", "create"], ["users", "list"],
            ["users", "set-admin"], ["users", "link"], ["orders"], ["orders", "list"], ["orders", "show"],
            ["orders", "mark-paid"], ["orders", "cancel"], ["orders", "export"], ["outbox"], ["outbox", "list"],
            ["outbox", "retry"], ["doctor"], ["db"], ["db", "copy"],
        ]
        for command in commands {
            let help = try agora(command + ["--help"])
            let name = (["agora"] + command).joined(separator: " ")
            #expect(help.status == 0, "\(name) --help failed")
            let lines = help.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            for line in lines { #expect(line.count <= 80, "\(name) --help: \(line.count) columns: \(line)") }
            let prose = lines.prefix { !$0.hasPrefix("USAGE:") }
            for (line, next) in zip(prose, prose.dropFirst()) where !line.isEmpty && !next.isEmpty && !next.hasPrefix("Example") {
                #expect(line.count > 55, "\(name) --help breaks a sentence early: \"\(line)\" then \"\(next)\"")
            }
        }
    }

    @Test func optionsOverrideTheFolders() throws {
        let site = temporaryFolder()
        _ = try agora(["init", site.path])
        try FileManager.default.moveItem(at: site.appendingPathComponent("content"), to: site.appendingPathComponent("shop"))
        let result = try agora(["build", "--content", "shop", "--output", "public", "--theme", "default"], in: site)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: site.appendingPathComponent("public/catalog.json").path))
    }

    @Test func brokenLinksWarnUnlessStrict() throws {
        let site = temporaryFolder()
        _ = try agora(["init", site.path])
        let about = site.appendingPathComponent("content/pages/about.md")
        var text = try String(contentsOf: about, encoding: .utf8)
        text += "\nSee [our teapots](/products/teapots/).\n"
        try Data(text.utf8).write(to: about)
        let line = text.split(separator: "\n", omittingEmptySubsequences: false).count - 1

        let lenient = try agora(["build"], in: site)
        #expect(lenient.status == 0)
        #expect(lenient.stderr.contains("content/pages/about.md:\(line): link: /products/teapots/ does not exist\n"))
        #expect(lenient.stderr.contains("Warning: 1 broken link; --strict-links makes them errors."))
        #expect(lenient.stdout.contains("Search index: search.json, "))

        let strict = try agora(["build", "--strict-links"], in: site)
        #expect(strict.status == 1)
        #expect(strict.stderr.hasPrefix("content/pages/about.md:\(line): link: /products/teapots/ does not exist\n"))
        #expect(strict.stderr.contains("Error: 1 problem; the previous output was left untouched."))
        #expect(try agora(["check", "--strict-links"], in: site).status == 1)
    }
}
