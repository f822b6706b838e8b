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
        let root = siteDirectory
        let themeDirectory = theme.map { name -> URL in
            name.contains("/") ? URL(fileURLWithPath: name, relativeTo: root).standardizedFileURL
                : root.appendingPathComponent("themes").appendingPathComponent(name)
        }
        return BuildOptions(
            contentDirectory: URL(fileURLWithPath: content, relativeTo: root).standardizedFileURL,
            contentDisplayName: site.map { ($0 as NSString).appendingPathComponent(content) } ?? content,
            themeDirectory: themeDirectory,
            themesDirectory: root.appendingPathComponent("themes"),
            outputDirectory: URL(fileURLWithPath: output, relativeTo: root).standardizedFileURL,
            includeDrafts: drafts,
            strictLinks: strictLinks
        )
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
