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
        /// Front-matter keys that look like typos of known ones.
        public let contentWarnings: [ContentIssue]
    }

    /// Validates the content, the theme and the internal links; writes nothing.
    @discardableResult
    public func check() throws(BuildFailure) -> CheckReport {
        let cache = options.cacheFile.map { BuildCache.load($0, key: options.cacheKey) } ?? BuildCache()
        let (load, theme) = try self.load(reusing: cache.parsed)
        let plan = SitePlan(content: load.content, theme: theme, contentDirectory: options.contentDirectory,
                            generated: Self.generatedTimestamp(load.content), memos: BuildMemos(cache))
        let warnings = try checkLinks(plan, jobs: plan.jobs())
        return CheckReport(content: load.content, linkWarnings: warnings, contentWarnings: load.warnings)
    }

    /// Builds the site. `progress` is called with (files done, files total) from worker threads.
    ///
    /// With a cache (`options.cacheDirectory`), only content files that changed are parsed, and
    /// only files whose fingerprint (template and full context, see `Fingerprint`) changed are
    /// rendered; the rest are kept as they are on disk.
    public func build(progress: (@Sendable (Int, Int) -> Void)? = nil) throws(BuildFailure) -> BuildSummary {
        let started = Date()
        var timer = PhaseTimer()
        // Stamped before anything is read, so that an edit made during this build shows next time.
        let stampsTaken = Int64(Date().timeIntervalSince1970 * 1_000_000_000)
        let (inputStamps, lastStamps, intactOutputs) = takeStamps(taken: stampsTaken)
        timer.mark("stamps")
        if let lastStamps, let intactOutputs,
           let unchanged = unchangedSummary(inputStamps, last: lastStamps, outputs: intactOutputs, started: started) {
            timer.mark("nothing changed")
            return unchanged
        }
        if let lastStamps, let intactOutputs, let patched = PatchBuild(options: options, builder: self)
            .run(inputStamps, last: lastStamps, outputs: intactOutputs, taken: stampsTaken, started: started) {
            timer.mark("patch")
            return patched
        }
        var cache = options.reuseCache ? options.cacheFile.map { BuildCache.load($0, key: options.cacheKey) } ?? BuildCache()
            : BuildCache()
        // Outputs that patches rewrote since this cache was saved: their records no longer match the files.
        let patchedOutputs = options.patchedOutputsFile.map(PatchRecord.patchedOutputs) ?? []
        for path in patchedOutputs { cache.outputs[path] = nil }
        timer.mark("load cache")
        let (load, theme) = try self.load(reusing: cache.parsed)
        let content = load.content
        timer.mark("read content")
        let memos = BuildMemos(cache)
        let thumbnails = makeThumbnails(content, previous: cache.images)
        defer {
            // Without a cache the thumbnails were made in a temporary folder, copied out by now.
            if options.cacheDirectory == nil, let folder = thumbnails.files.values.first?.deletingLastPathComponent() {
                try? FileManager.default.removeItem(at: folder)
            }
        }
        timer.mark("thumbnails")
        let plan = SitePlan(content: content, theme: theme, contentDirectory: options.contentDirectory,
                            generated: Self.generatedTimestamp(content), memos: memos, thumbnails: thumbnails)
        let jobs = plan.jobs()
        timer.mark("plan")
        let warnings = try checkLinks(plan, jobs: jobs)
        timer.mark("check links")

        let writer: OutputWriter
        do {
            writer = try OutputWriter(options)
        } catch {
            throw .output("\(displayPath(options.outputDirectory)): cannot be written: \(error.localizedDescription)")
        }
        let counter = ProgressCounter(total: jobs.count, report: progress)
        let earlier = cache.outputs
        // File creation waits on the disk (and on ext4's inode allocation) more than on the CPU: a
        // second thread per core helps; more made cold builds slower in `make bench` runs.
        let results = ParallelMap.map(jobs, threadsPerCore: 2) { job -> JobResult in
            defer { counter.advance() }
            do {
                return try run(job, writer: writer, theme: theme, earlier: earlier[job.path])
            } catch let error as ThemeError {
                return JobResult(failure: error.description)
            } catch {
                return JobResult(failure: "\(displayPath(options.outputDirectory))/\(job.path): cannot be written: \(error.localizedDescription)")
            }
        }
        timer.mark("render and write")
        let failures = results.compactMap(\.failure)
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
        timer.mark("commit")
        let next: BuildCache? = options.cacheFile.map { _ in
            var cache = BuildCache(key: options.cacheKey, parsed: load.parsed, markdown: memos.markdown.entries,
                                   links: memos.links.entries, images: thumbnails.hashes)
            for (job, result) in zip(jobs, results) {
                if let record = result.record { cache.outputs[job.path] = record }
            }
            return cache
        }
        let pagesRendered = zip(jobs, results).filter { $0.isPage && !$1.skipped }.count
        var summary = BuildSummary(
            pages: jobs.filter(\.isPage).count, products: content.products.count, categories: content.categories.count,
            people: content.people.count, filesWritten: stats.written, filesUnchanged: stats.unchanged,
            filesRemoved: stats.removed, pagesRendered: pagesRendered,
            contentFilesParsed: load.filesParsed, seconds: 0,
            searchIndexBytes: plan.searchIndex.count, linkWarnings: warnings, imageWarnings: thumbnails.warnings,
            contentWarnings: load.warnings)
        summary.contentFilesRead = load.filesRead
        // The cache and the stamps are written side by side: neither needs the other. Without a
        // cache the next build is a full one, nothing worse.
        let (cacheFile, finished, outputFiles) = (options.cacheFile, summary, stats.files)
        let record = options.patchRecordFile.map { _ in
            PatchRecord(key: options.stampsKey, plan: plan, jobs: jobs, inputs: inputStamps, taken: stampsTaken, warnings: load.warnings,
                        images: thumbnails.hashes, contentDirectory: options.contentDirectory,
                        contentDisplayName: options.contentDisplayName)
        }
        _ = ParallelMap.map([false, true]) { stamps in
            if stamps {
                saveStamps(inputStamps, outputs: outputFiles, taken: stampsTaken, summary: finished, record: record)
            } else if let cacheFile, let next {
                if (try? next.save(cacheFile)) != nil, !patchedOutputs.isEmpty, let patchedFile = options.patchedOutputsFile {
                    try? FileManager.default.removeItem(at: patchedFile)
                }
            }
        }
        timer.mark("save cache and stamps")
        summary.seconds = Date().timeIntervalSince(started)
        if options.keepsMemoryUntilExit {
            MemoryKeeper.keep([plan, jobs, results, cache, load, memos, theme, next as Any, thumbnails, record as Any])
        }
        return summary
    }

    /// The stamps of the inputs as they are now; the last build's stamps when this build may reuse
    /// them; and the output tree they describe, when the output folder still holds exactly what
    /// the last build left there and no retired asset waits for removal (`OutputTree.checked`,
    /// which stamps folders that have settled by `taken`). Both fast paths need all three, and
    /// the walk of the inputs needs nothing of the other two, so it runs beside them (the two are
    /// a tenth and two fifths of a "nothing changed" build at 10,000 products).
    private func takeStamps(taken: Int64) -> (now: InputStamps.Inputs, last: InputStamps?, outputs: OutputTree?) {
        guard let stampsFile = options.stampsFile else { return (InputStamps.Inputs(), nil, nil) }
        let (folders, lastFile) = (options.stampedFolders, options.reuseCache ? stampsFile : nil)
        let (output, key) = (options.outputDirectory, options.stampsKey)
        let retired = output.appendingPathComponent(OutputWriter.retiredAssetsName).path
        let parts = ParallelMap.map([true, false]) { walk -> (now: InputStamps.Inputs?, last: InputStamps?, outputs: OutputTree?) in
            if walk { return (InputStamps.inputs(folders), nil, nil) }
            guard let last = lastFile.flatMap(InputStamps.load), last.key == key else { return (nil, nil, nil) }
            guard !FileManager.default.fileExists(atPath: retired) else { return (nil, last, nil) }
            return (nil, last, last.outputs.checked(output, taken: taken))
        }
        return (parts[0].now ?? InputStamps.Inputs(), parts[1].last, parts[1].outputs)
    }

    /// The last build's summary (`last`, of these options: `takeStamps` checked their key) when no
    /// input changed (`InputStamps`) and the output folder is as it left it (`outputs`, what the
    /// check found). Output folders the check had to list, and found settled, are stamped in the
    /// saved stamps, so that the next check does not list them.
    private func unchangedSummary(_ inputs: InputStamps.Inputs, last: InputStamps, outputs: OutputTree,
                                  started: Date) -> BuildSummary? {
        guard last.inputs == inputs.files else { return nil }
        if outputs.stampsMore(than: last.outputs), let file = options.stampsFile {
            var stamps = last
            stamps.outputs = outputs
            if (try? stamps.save(file)) == nil { try? FileManager.default.removeItem(at: file) }
        }
        let saved = last.summary
        return BuildSummary(
            pages: saved.pages, products: saved.products, categories: saved.categories, people: saved.people, filesWritten: 0,
            filesUnchanged: last.outputs.fileCount, filesRemoved: 0, pagesRendered: 0, contentFilesParsed: 0,
            seconds: Date().timeIntervalSince(started), searchIndexBytes: saved.searchIndexBytes,
            linkWarnings: InputStamps.issues(saved.links), imageWarnings: InputStamps.issues(saved.images),
            contentWarnings: InputStamps.issues(saved.content), upToDate: true)
    }

    /// Stamps and the patch record for the next build. When an input was touched too close to the
    /// moment they were taken to be trusted, the stamps cannot match (`StampSet.unmatchable`) and
    /// the record marks the unsettled files as changed, so the next build reads them again.
    /// `outputs` is what the commit's walk of the output folder found (`OutputWriter.Stats.files`).
    private func saveStamps(_ inputs: InputStamps.Inputs, outputs: [String: Int], taken: Int64, summary: BuildSummary,
                            record: PatchRecord?) {
        guard let file = options.stampsFile else { return }
        if let record, let recordFile = options.patchRecordFile, (try? record.save(recordFile)) == nil {
            try? FileManager.default.removeItem(at: recordFile)
        }
        let saved = InputStamps.Summary(
            pages: summary.pages, products: summary.products, categories: summary.categories, people: summary.people,
            searchIndexBytes: summary.searchIndexBytes, links: InputStamps.warnings(summary.linkWarnings),
            images: InputStamps.warnings(summary.imageWarnings), content: InputStamps.warnings(summary.contentWarnings))
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000_000)
        let stamps = InputStamps(key: options.stampsKey, inputs: inputs.settled(before: taken) ? inputs.files : .unmatchable,
                                 outputs: OutputTree.of(outputs, in: options.outputDirectory, taken: now),
                                 summary: saved)
        if (try? stamps.save(file)) == nil { try? FileManager.default.removeItem(at: file) }
    }

    /// Thumbnails of the images that pages show, kept in the cache folder between builds (in a
    /// temporary folder beside the output, on the same disk, when there is no cache). Thumbnails no image needs any more are deleted.
    private func makeThumbnails(_ content: SiteContent, previous: [String: Thumbnails.HashRecord]) -> Thumbnails.Result {
        let images = content.products.filter(\.available).compactMap(\.image) + content.people.filter(\.active).compactMap(\.photo)
        guard !images.isEmpty else { return Thumbnails.Result() }
        let folder = options.cacheDirectory?.appendingPathComponent("thumbs")
            ?? options.outputDirectory.standardizedFileURL.deletingLastPathComponent()
                .appendingPathComponent(".agora-thumbnails-\(UUID().uuidString)")
        let displayed = Set(content.products.filter(\.available).compactMap(\.image))
        let result = Thumbnails(contentDirectory: options.contentDirectory, contentDisplayName: options.contentDisplayName,
                                folder: folder).prepare(images, displayed: displayed, previousHashes: previous)
        let used = Set(result.files.values.map(\.lastPathComponent))
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] where !used.contains(name) {
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
        }
        return result
    }

    /// What became of one job: skipped (its fingerprint matched and its file is intact), made, or failed.
    private struct JobResult: Sendable {
        var failure: String?
        var record: BuildCache.OutputRecord?
        var skipped = false
    }

    private func run(_ job: OutputJob, writer: OutputWriter, theme: Theme,
                     earlier: BuildCache.OutputRecord?) throws -> JobResult {
        /// Skips the job when its fingerprint and file are as the last build left them; otherwise
        /// `stage` stages the file and returns its size.
        func make(_ fingerprint: Fingerprint?, _ stage: () throws -> Int64) throws -> JobResult {
            if let fingerprint, let earlier, earlier.fingerprint == fingerprint, writer.keep(job.path, size: earlier.size) {
                return JobResult(record: earlier, skipped: true)
            }
            let size = try stage()
            return JobResult(record: fingerprint.map { .init(fingerprint: $0, size: size) })
        }
        func write(_ bytes: Data) throws -> Int64 {
            try writer.stage(job.path, bytes)
            return Int64(bytes.count)
        }
        switch job.work {
        case .page(let template, let makeContext):
            let context = makeContext()
            return try make(.page(templateDigest: theme.templateDigest(template), context: context)) {
                try write(Data(try theme.render(template, context).utf8))
            }
        case .text(let fingerprint, let text):
            return try make(fingerprint) { try write(Data(try text().utf8)) }
        case .data(let data):
            return try make(nil) { try write(data) }
        case .copy(let source):
            let stamp = FileStamp.of(source.path)
            return try make(.of("\(stamp.size) \(stamp.modified)")) {
                try writer.stageCopy(job.path, from: source)
                return stamp.size
            }
        }
    }

    private func load(reusing parsed: ParsedFiles) throws(BuildFailure) -> (ContentLoad, Theme) {
        let load: ContentLoad
        do {
            load = try ContentLoader(directory: options.contentDirectory, displayName: options.contentDisplayName,
                                     includeDrafts: options.includeDrafts).load(reusing: parsed)
        } catch {
            throw .content(error)
        }
        let themeDirectory = options.themeDirectory
            ?? options.themesDirectory.appendingPathComponent(load.content.config.theme)
        do {
            return (load, try Theme(directory: themeDirectory, displayName: displayPath(themeDirectory)))
        } catch {
            throw .theme(error)
        }
    }

    /// Broken links are warnings, or with `strictLinks` a failure before anything is written.
    private func checkLinks(_ plan: SitePlan, jobs: [OutputJob]) throws(BuildFailure) -> [ContentIssue] {
        let broken = LinkChecker(outputs: jobs.map(\.path)).brokenLinks(in: plan.linkDocuments(), memo: plan.memos.links)
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

    func displayPath(_ url: URL) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        let path = url.standardizedFileURL.path
        return path.hasPrefix(cwd + "/") ? String(path.dropFirst(cwd.count + 1)) : path
    }
}

/// What a build that ends its process keeps: freeing a large site's plan, pages and caches one
/// object at a time took a tenth of a second at 10,000 products, and the process's exit frees
/// them all at once.
enum MemoryKeeper {
    private static let kept = NSLock()
    nonisolated(unsafe) private static var values: [Any] = []

    static func keep(_ more: [Any]) {
        kept.withLock { values.append(contentsOf: more) }
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
