import AgoraContent
import AgoraSite
import ArgumentParser
import Foundation

struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Render the content through the theme into the output folder.",
        usage: """
        agora build [--site DIR] [--content DIR] [--theme NAME] [--output DIR]
                    [--drafts] [--strict-links] [--quiet] [--no-cache]
                    [--precompress]
        """,
        discussion: """
        Reports every content problem as `file:line: key: message` and exits 1, leaving the previous \
        output untouched. Only files whose bytes changed are rewritten.

        The build cache (.agora-cache/ in the site folder) lets a rebuild parse only the content \
        files that changed and render only the pages whose template or content changed.
        """
    )

    @OptionGroup var location: SiteLocation

    @Flag(name: .long, help: "Print nothing but errors.")
    var quiet = false

    @Flag(name: .long, help: "Render every page as in a first build, ignoring the build cache.")
    var noCache = false

    @Flag(name: .long, help: ArgumentHelp(
        "Write .gz and .br copies beside text files, for a web server that sends them as they are.",
        discussion: "For nginx's gzip_static; agora serve compresses on the fly without them."))
    var precompress = false

    func run() throws {
        BuildMemory.tune()
        var options = location.buildOptions()
        options.reuseCache = !noCache
        options.precompress = precompress
        options.keepsMemoryUntilExit = true
        let builder = SiteBuilder(options: options)
        let progress = ProgressLine(enabled: !quiet && isatty(STDERR_FILENO) == 1)
        let show: @Sendable (Int, Int) -> Void = { done, total in progress.show(done, total) }
        let report = progress.enabled ? show : nil
        let summary: BuildSummary
        do throws(BuildFailure) {
            summary = try builder.build(progress: report)
        } catch {
            progress.clear()
            throw fail(error, outputKept: true)
        }
        progress.clear()
        printWarnings(summary.contentWarnings)
        printLinkWarnings(summary.linkWarnings)
        printWarnings(summary.imageWarnings)
        if !quiet {
            // The summary is the last line on success (SPEC §7); other figures come before it.
            print(summary.incrementalLine)
            print(summary.searchIndexLine)
            print(summary.line)
        }
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the content and the theme without writing anything.",
        usage: """
        agora check [--site DIR] [--content DIR] [--theme NAME] [--output DIR]
                    [--drafts] [--strict-links]
        """,
        discussion: "Prints the same `file:line: key: message` lines as build; exits 1 when there are any."
    )

    @OptionGroup var location: SiteLocation

    func run() throws {
        do throws(BuildFailure) {
            let report = try SiteBuilder(options: location.buildOptions()).check()
            let content = report.content
            printWarnings(report.contentWarnings)
            printLinkWarnings(report.linkWarnings)
            print("Content is valid: \(content.products.count) products, \(content.categories.count) categories, "
                + "\(content.people.count) people, \(content.pages.count) pages.")
        } catch {
            throw fail(error, outputKept: false)
        }
    }
}

/// Broken links that did not fail the build: the same `file:line: link: …` lines, on stderr.
func printLinkWarnings(_ warnings: [ContentIssue]) {
    guard !warnings.isEmpty else { return }
    let count = warnings.count == 1 ? "1 broken link" : "\(warnings.count) broken links"
    writeLines(warnings, last: "Warning: \(count); --strict-links makes them errors.")
}

/// Other problems that did not fail the build, one `file:line: key: message` line each, on stderr.
func printWarnings(_ warnings: [ContentIssue]) {
    writeLines(warnings, prefix: "warning: ")
}

/// Issues on stderr, one line each (`ContentIssue.description`, after `prefix`), in one write:
/// a `print` per line was two system calls each, and a large site can have thousands of
/// warnings, which a "nothing changed" build prints as its last work. The lines are made
/// straight into the bytes written, without a string per line.
private func writeLines(_ issues: [ContentIssue], prefix: String = "", last: String? = nil) {
    guard !issues.isEmpty else { return }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(issues.count * 112)
    for issue in issues {
        bytes += prefix.utf8
        issue.write(to: &bytes)
        bytes.append(UInt8(ascii: "\n"))
    }
    if let last { bytes += (last + "\n").utf8 }
    FileHandle.standardError.write(Data(bytes))
}

/// A counter on one terminal line, redrawn in place; silent when stderr is not a terminal.
final class ProgressLine: @unchecked Sendable {
    let enabled: Bool
    private let lock = NSLock()

    init(enabled: Bool) {
        self.enabled = enabled
    }

    func show(_ done: Int, _ total: Int) {
        guard enabled else { return }
        let width = 30
        let filled = total == 0 ? width : done * width / total
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        lock.lock()
        FileHandle.standardError.write("\r\(bar) \(done)/\(total) files")
        lock.unlock()
    }

    func clear() {
        guard enabled else { return }
        FileHandle.standardError.write("\r\u{1B}[K")
    }
}
