import AgoraSite
import ArgumentParser
import Foundation

/// The folder options shared by every command that reads a site (SPEC §7).
struct SiteLocation: ParsableArguments {
    @Option(name: .long, help: "The site folder (default: the current directory).")
    var site: String?

    @Option(name: .long, help: "Content folder, relative to the site folder.")
    var content: String = "content"

    @Option(name: .long, help: "Theme name under themes/, or a path to a theme folder (default: `theme` in site.yml).")
    var theme: String?

    @Option(name: .long, help: "Output folder, relative to the site folder.")
    var output: String = "output"

    @Flag(name: .long, help: "Include products marked `draft: true`.")
    var drafts = false

    @Flag(name: .long, help: "Treat internal links to pages or files that do not exist as errors (exit 1).")
    var strictLinks = false

    var siteDirectory: URL {
        URL(fileURLWithPath: site ?? FileManager.default.currentDirectoryPath, isDirectory: true)
    }

    func buildOptions() -> BuildOptions {
        var options = Self.buildOptions(site: site, content: content, theme: theme, output: output)
        options.includeDrafts = drafts
        options.strictLinks = strictLinks
        return options
    }

    /// The build options of a site folder with these folder names; `build`, `check` and
    /// `serve --watch` read a site the same way.
    static func buildOptions(site: String?, content: String, theme: String?, output: String) -> BuildOptions {
        let root = URL(fileURLWithPath: site ?? FileManager.default.currentDirectoryPath, isDirectory: true)
        return BuildOptions(
            contentDirectory: URL(fileURLWithPath: content, relativeTo: root).standardizedFileURL,
            contentDisplayName: site.map { ($0 as NSString).appendingPathComponent(content) } ?? content,
            themeDirectory: theme.map { themeFolder($0, root: root) },
            themesDirectory: root.appendingPathComponent("themes"),
            outputDirectory: URL(fileURLWithPath: output, relativeTo: root).standardizedFileURL
        )
    }

    /// A theme named on the command line: a path when it has a slash, else a folder under themes/.
    static func themeFolder(_ name: String, root: URL) -> URL {
        name.contains("/") ? URL(fileURLWithPath: name, relativeTo: root).standardizedFileURL
            : root.appendingPathComponent("themes").appendingPathComponent(name)
    }
}

/// Prints the problems of a failed build or check, one per line, and exits with status 1.
func fail(_ failure: BuildFailure, outputKept: Bool) -> ExitCode {
    var standardError = FileHandle.standardError
    let lines = failure.lines
    for line in lines { print(line, to: &standardError) }
    let count = lines.count == 1 ? "1 problem" : "\(lines.count) problems"
    print("Error: \(count)\(outputKept ? "; the previous output was left untouched" : "").", to: &standardError)
    return ExitCode(1)
}

extension FileHandle: @retroactive TextOutputStream {
    public func write(_ string: String) {
        write(Data(string.utf8))
    }
}
