import AgoraContent
import AgoraTheme
import Foundation

/// Why a build stopped. The output folder is untouched in every case.
public enum BuildFailure: Error, CustomStringConvertible, Sendable {
    case content(ContentIssues)
    case theme(ThemeError)
    /// Broken internal links with `--strict-links`.
    case links(ContentIssues)
    case output(String)

    /// One problem per line, ready to print.
    public var description: String {
        switch self {
        case .content(let issues), .links(let issues): return issues.description
        case .theme(let error): return error.description
        case .output(let message): return message
        }
    }

    public var lines: [String] { description.split(separator: "\n").map(String.init) }
}

/// `agora build` and `agora check`: content → validated model → pages → output folder.
public struct SiteBuilder: Sendable {
    public let options: BuildOptions

    public init(options: BuildOptions) {
        self.options = options
    }

    /// What `agora check` finds: valid content, plus broken links when they are only warnings.
    public struct CheckReport: Sendable {
        public let content: SiteContent
        public let linkWarnings: [ContentIssue]
    }

    /// Validates the content, the theme and the internal links; writes nothing.
    @discardableResult
    public func check() throws(BuildFailure) -> CheckReport {
        let (content, theme) = try load()
        let plan = SitePlan(content: content, theme: theme, contentDirectory: options.contentDirectory,
                            generated: Self.generatedTimestamp(content))
        let warnings = try checkLinks(plan, jobs: plan.jobs())
        return CheckReport(content: content, linkWarnings: warnings)
    }

    /// Builds the site. `progress` is called with (files done, files total) from worker threads.
    public func build(progress: (@Sendable (Int, Int) -> Void)? = nil) throws(BuildFailure) -> BuildSummary {
        let started = Date()
        let (content, theme) = try load()
        let plan = SitePlan(content: content, theme: theme, contentDirectory: options.contentDirectory,
                            generated: Self.generatedTimestamp(content))
        let jobs = plan.jobs()
        let warnings = try checkLinks(plan, jobs: jobs)

        let writer: OutputWriter
        do {
            writer = try OutputWriter(output: options.outputDirectory)
        } catch {
            throw .output("\(displayPath(options.outputDirectory)): cannot be written: \(error.localizedDescription)")
        }
        let counter = ProgressCounter(total: jobs.count, report: progress)
        // File creation waits on the disk more than on the CPU: more threads than cores help.
        let failures = ParallelMap.map(jobs, threadsPerCore: 4) { job -> String? in
            defer { counter.advance() }
            do {
                switch job.work {
                case .page(let template, let context):
                    try writer.stage(job.path, Data(try theme.render(template, context()).utf8))
                case .text(let make):
                    try writer.stage(job.path, Data(try make().utf8))
                case .data(let data):
                    try writer.stage(job.path, data)
                case .copy(let source):
                    try writer.stageCopy(job.path, from: source)
                }
                return nil
            } catch let error as ThemeError {
                return error.description
            } catch {
                return "\(displayPath(options.outputDirectory))/\(job.path): cannot be written: \(error.localizedDescription)"
            }
        }.compactMap { $0 }
        guard failures.isEmpty else {
            writer.discard()
            throw .output(Array(Set(failures)).sorted().joined(separator: "\n"))
        }
        let stats: OutputWriter.Stats
        do {
            stats = try writer.commit()
        } catch {
            throw .output("\(displayPath(options.outputDirectory)): \(error.localizedDescription)")
        }
        return BuildSummary(
            pages: jobs.filter(\.isPage).count, products: content.products.count, categories: content.categories.count,
            people: content.people.count, filesWritten: stats.written, filesUnchanged: stats.unchanged,
            filesRemoved: stats.removed, seconds: Date().timeIntervalSince(started),
            searchIndexBytes: plan.searchIndex.count, linkWarnings: warnings)
    }

    private func load() throws(BuildFailure) -> (SiteContent, Theme) {
        let content: SiteContent
        do {
            content = try ContentLoader(directory: options.contentDirectory, displayName: options.contentDisplayName,
                                        includeDrafts: options.includeDrafts).load()
        } catch {
            throw .content(error)
        }
        let themeDirectory = options.themeDirectory
            ?? options.themesDirectory.appendingPathComponent(content.config.theme)
        do {
            return (content, try Theme(directory: themeDirectory, displayName: displayPath(themeDirectory)))
        } catch {
            throw .theme(error)
        }
    }

    /// Broken links are warnings, or with `strictLinks` a failure before anything is written.
    private func checkLinks(_ plan: SitePlan, jobs: [OutputJob]) throws(BuildFailure) -> [ContentIssue] {
        let broken = LinkChecker(outputs: Set(jobs.map(\.path))).brokenLinks(in: plan.linkDocuments())
        if options.strictLinks, !broken.isEmpty { throw .links(ContentIssues(broken)) }
        return broken
    }

    /// The build's timestamp (manifest `generated`, feed `updated`): `SOURCE_DATE_EPOCH` when set,
    /// else the newest product date, so that two builds of the same content are byte-identical.
    static func generatedTimestamp(_ content: SiteContent) -> String {
        if let epoch = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"], let seconds = Double(epoch) {
            let date = Date(timeIntervalSince1970: seconds)
            let formatter = ISO8601DateFormatter()
            formatter.timeZone = TimeZone(identifier: "UTC")
            _ = CalendarDate.string(from: date)
            return formatter.string(from: date)
        }
        let newest = content.products.map(\.date).max() ?? "1970-01-01"
        return newest + "T00:00:00Z"
    }

    private func displayPath(_ url: URL) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        let path = url.standardizedFileURL.path
        return path.hasPrefix(cwd + "/") ? String(path.dropFirst(cwd.count + 1)) : path
    }
}

/// Counts finished jobs across threads and reports every so often.
private final class ProgressCounter: @unchecked Sendable {
    private let total: Int
    private let report: (@Sendable (Int, Int) -> Void)?
    private let lock = NSLock()
    private var done = 0

    init(total: Int, report: (@Sendable (Int, Int) -> Void)?) {
        self.total = total
        self.report = report
    }

    func advance() {
        guard let report else { return }
        lock.lock()
        done += 1
        let current = done
        lock.unlock()
        if current % 97 == 0 || current == total { report(current, total) }
    }
}
