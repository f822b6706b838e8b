import AgoraContent
import AgoraTheme
import Foundation

/// An edit made proportional to the change, after Hugo's and Zola's fast rebuilds of one page: when
/// only product files changed, and each keeps its place in the site (`PatchRecord.placement`:
/// the same SKU, slug, name, category, tags, maker, image, date, availability), the only outputs
/// that can change are those that show those products' own values. They are known from the last
/// build (`Showing`), and made again from the few products they show, read from their files; the
/// product's entries in `search.json` and `catalog.json` are put in place of the old ones.
/// Nothing else is read, planned or checked, so a one-product edit of a 10,000-product site costs
/// about what a "nothing changed" build costs plus a few pages.
///
/// Anything else (a file added or removed, a category, person, page, setting or theme file
/// changed, a product moved, a file with a problem or a warning, `--strict-links` with a broken
/// link) takes the full way, which reports and checks everything as always.
///
/// A file whose stamps were too recent to be trusted is read again by the next build (`StampList`);
/// when it still reads as this build read it (`PatchRecord.racy`), it is no edit, and its outputs
/// are left as they are: edits saved one right after another each patch one product.
///
/// The build cache's records of the outputs a patch rewrote would no longer match the files, so
/// they are listed (`BuildOptions.patchedOutputsFile`) before anything is written, and the next
/// full build forgets them.
struct PatchBuild {
    let options: BuildOptions
    let builder: SiteBuilder

    private enum RecordAndTheme: Sendable {
        case record(PatchRecord?)
        /// The theme, and the folder it was loaded from.
        case theme((Theme, URL)?)
    }

    /// The build of `inputs` (the walk just taken) as a patch of the last one, or nil when it
    /// cannot be one. `last` is the last build's stamps, saved with these options (their key was
    /// checked when they were read), and `outputs` its output tree as the output folder was found
    /// to hold it (`OutputTree.checked`).
    func run(_ inputs: InputStamps.Inputs, last: InputStamps, outputs outputTree: OutputTree, taken: Int64,
             started: Date) -> BuildSummary? {
        var timer = PhaseTimer()
        guard options.reuseCache, let recordFile = options.patchRecordFile,
              let patchedFile = options.patchedOutputsFile, let cacheDirectory = options.cacheDirectory else { return nil }
        // The record and the theme are read side by side: the theme needs only its name, from
        // site.yml, which a patch requires unchanged (checked below, once site.yml is parsed).
        let loaded = ParallelMap.map([false, true]) { [options] isTheme -> RecordAndTheme in
            if !isTheme { return .record(PatchRecord.load(recordFile)) }
            guard let directory = options.themeDirectory ?? SiteConfig.read(contentDirectory: options.contentDirectory)
                .map({ options.themesDirectory.appendingPathComponent($0.theme) }) else { return .theme(nil) }
            // Its files are those the last build loaded without error: not parsed again only to find errors.
            return .theme((try? Theme(directory: directory, displayName: builder.displayPath(directory), checked: false))
                .map { ($0, directory) })
        }
        guard case .record(var record?) = loaded[0], case .theme(let (theme, themeDirectory)?) = loaded[1],
              record.key == options.stampsKey,
              let changedFiles = editedProducts(inputs, record: record), !changedFiles.isEmpty else { return nil }
        timer.mark("patch: record, theme")

        // The changed files, parsed: each must be as valid as before and keep its place.
        let loader = ContentLoader(directory: options.contentDirectory, displayName: options.contentDisplayName,
                                   includeDrafts: options.includeDrafts)
        guard let changedNumbers = changedFiles.map({ record.number(of: display($0)) }) as [Int?] as? [Int],
              let reread = loader.parse(products: changedFiles), reread.warnings.isEmpty,
              changedNumbers.allSatisfy({ !record.warned.contains($0) }),
              zip(changedNumbers, reread.products).allSatisfy({ record.placements[$0] == PatchRecord.placement($1) })
        else { return nil }
        // Files read again only because their stamps could not be trusted, which still read as the
        // last build read them, show as they are: only the others are edits.
        let kept = changedFiles.indices.filter { record.racy[changedFiles[$0]] != PatchRecord.digest(of: reread.products[$0]) }
        let (edited, numbers, editedProducts) = (kept.map { changedFiles[$0] }, kept.map { changedNumbers[$0] },
                                                 kept.map { reread.products[$0] })

        // The outputs that show them, and everything those show.
        let editedSet = Set(numbers)
        let affected = zip(record.shown, record.showings).filter { !editedSet.isDisjoint(with: $0.1.products) }
        let shownNumbers = Set(affected.flatMap(\.1.products)).subtracting(editedSet).sorted()
        let contentRoot = options.contentDirectory.standardizedFileURL.path
        let others = shownNumbers.map { relative(record.products[$0]) }
        let sections = record.inputs[contentRoot].map { Self.sections($0.files) } ?? (categories: [], pages: [])
        var personFiles = Set(affected.flatMap(\.1.people).compactMap { record.personFiles[$0] })
        guard let site = loader.parse(config: true, categories: sections.categories, products: others, pages: sections.pages),
              let config = site.config else { return nil }
        let products = editedProducts + site.products
        personFiles.formUnion(products.compactMap(\.maker).compactMap { record.personFiles[$0] })
        guard let people = loader.parse(people: personFiles.sorted())?.people else { return nil }
        timer.mark("patch: read content")
        let content = ContentLoader.content(config: config, categories: site.categories, products: products, people: people,
                                            pages: site.pages)

        guard options.themeDirectory != nil || themeDirectory == options.themesDirectory.appendingPathComponent(config.theme) else {
            return nil
        }
        let images = content.products.filter(\.available).compactMap(\.image) + content.people.filter(\.active).compactMap(\.photo)
        let thumbnails = images.isEmpty ? Thumbnails.Result()
            : Thumbnails(contentDirectory: options.contentDirectory, contentDisplayName: options.contentDisplayName,
                         folder: cacheDirectory.appendingPathComponent("thumbs"))
                .prepare(images, displayed: Set(content.products.filter(\.available).compactMap(\.image)),
                         previousHashes: record.images)
        var counts: [String: Int] = [:]
        for case .home(_, let people, let productCounts, _) in affected.map(\.1) {
            for (person, count) in zip(people, productCounts) { counts[person] = count }
        }
        let plan = SitePlan(content: content, theme: theme, contentDirectory: options.contentDirectory, generated: record.generated,
                            thumbnails: thumbnails, productCounts: counts)
        guard let jobs = self.jobs(affected, record: record, plan: plan) else { return nil }
        timer.mark("patch: plan")

        // Broken links of the edited products, in place of their old ones.
        let editedDisplay = Set(edited.map(display))
        let editedViews = plan.listed.filter { editedDisplay.contains($0.product.source.file) }
        let newLinks = LinkChecker(outputs: record.outputs).brokenLinks(in: editedViews.map {
            LinkChecker.Document(links: $0.links, body: $0.bodyKey, source: $0.product.source, pageURL: $0.url)
        })
        guard !options.strictLinks || newLinks.isEmpty else { return nil }
        let links = (InputStamps.issues(last.summary.links).filter { !editedDisplay.contains($0.file) } + newLinks).sorted()

        // The edited entries of the two JSON files, put in place of the old ones.
        let views = Dictionary(plan.listed.map { ($0.product.source.file, $0) }, uniquingKeysWith: { first, _ in first })
        let outputRoot = options.outputDirectory.standardizedFileURL.path
        var spliced: [(path: String, data: Data)] = []
        for (path, entries) in [("search.json", \PatchRecord.search), ("catalog.json", \PatchRecord.catalog)] {
            var replacements: [Int: [UInt8]] = [:]
            for (number, product) in zip(numbers, editedProducts) {
                if path == "search.json" {
                    guard let view = views[record.products[number]] else { continue }
                    replacements[number] = SearchIndex.entryBytes(view)
                } else {
                    replacements[number] = Manifests.entryBytes(product, thumbnails: thumbnails.thumbnails)
                }
            }
            guard !replacements.isEmpty else { continue }
            guard let old = WholeFile.bytes(outputRoot + "/" + path),
                  let (bytes, moved) = record[keyPath: entries].replacing(replacements, in: old) else { return nil }
            record[keyPath: entries] = moved
            spliced.append((path, Data(bytes)))
        }

        timer.mark("patch: links, json")
        // Made and staged on all cores; written only if every one of them could be made.
        guard let writer = try? OutputWriter(options) else { return nil }
        let staged = ParallelMap.map(jobs) { job -> Bool in
            do {
                switch job.work {
                case .page(let template, let context): try writer.stage(job.path, Data(try theme.render(template, context()).utf8))
                case .text(_, let make): try writer.stage(job.path, Data(try make().utf8))
                default: return false
                }
                return true
            } catch {
                return false
            }
        }
        do {
            guard staged.allSatisfy({ $0 }) else { throw CocoaError(.fileWriteUnknown) }
            for (path, data) in spliced { try writer.stage(path, data) }
        } catch {
            writer.discard()
            return nil
        }
        // Listed before the outputs change: a crash in between only makes the next full build render them again.
        let patched = Set(jobs.map(\.path) + spliced.map(\.path))
        guard Self.append(patched.sorted(), to: patchedFile) else {
            writer.discard()
            return nil
        }
        timer.mark("patch: render")
        let changed: [String]
        do {
            changed = try writer.commitChanges()
        } catch {
            // Some files may have moved in: the stamps no longer describe the output.
            try? FileManager.default.removeItem(at: options.stampsFile ?? recordFile)
            return nil
        }

        timer.mark("patch: commit")
        // The stamps and the record, for the next build's "nothing changed" check and patch.
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000_000)
        let saved = last.summary
        let searchBytes = spliced.first { $0.path == "search.json" }?.data.count ?? saved.searchIndexBytes
        let summaryToSave = InputStamps.Summary(
            pages: saved.pages, products: saved.products, categories: saved.categories, people: saved.people,
            searchIndexBytes: searchBytes, links: InputStamps.warnings(links), images: saved.images, content: saved.content)
        for (root, files) in inputs.listed { record.inputs[root] = StampList(files, taken: taken) }
        let read = Dictionary((reread.products + site.products).map { (relative($0.source.file), $0) },
                              uniquingKeysWith: { first, _ in first })
        record.racy = PatchRecord.racyDigests(inputs.listed, contentRoot: contentRoot, taken: taken, products: read)
        if let stampsFile = options.stampsFile, let outputs = outputTree.replacing(changed, in: options.outputDirectory, taken: now) {
            let stamps = InputStamps(key: options.stampsKey, inputs: inputs.settled(before: taken) ? inputs.files : .unmatchable,
                                     outputs: outputs, summary: summaryToSave)
            let finished = record
            let saved = ParallelMap.map([true, false]) { isStamps in
                isStamps ? (try? stamps.save(stampsFile)) != nil : (try? finished.save(recordFile)) != nil
            }
            if saved.contains(false) { try? FileManager.default.removeItem(at: stampsFile) }
        } else {
            // The output tree could not be brought up to date: the next build takes the full way.
            try? FileManager.default.removeItem(at: options.stampsFile ?? recordFile)
            try? FileManager.default.removeItem(at: recordFile)
        }

        timer.mark("patch: save")
        var summary = BuildSummary(
            pages: saved.pages, products: saved.products, categories: saved.categories, people: saved.people,
            filesWritten: changed.count, filesUnchanged: last.outputs.fileCount - changed.count, filesRemoved: 0,
            pagesRendered: jobs.filter(\.isPage).count, contentFilesParsed: products.count + people.count,
            seconds: Date().timeIntervalSince(started), searchIndexBytes: searchBytes, linkWarnings: links,
            imageWarnings: InputStamps.issues(saved.images), contentWarnings: InputStamps.issues(saved.content))
        summary.contentFilesRead = products.count + people.count
        summary.patched = true
        return summary
    }

    /// The content files (relative) that changed since the record, when all of them are product
    /// files the last build knew and no file was added or removed; nil otherwise.
    private func editedProducts(_ inputs: InputStamps.Inputs, record: PatchRecord) -> [String]? {
        let contentRoot = options.contentDirectory.standardizedFileURL.path
        guard inputs.listed.count == record.inputs.count else { return nil }
        var edited: [String] = []
        for (root, files) in inputs.listed {
            guard let changed = record.inputs[root]?.changed(files) else { return nil }
            for file in changed {
                guard root == contentRoot, file.hasPrefix("products/"), file.lowercased().hasSuffix(".md") else { return nil }
                edited.append(file)
            }
        }
        return edited.sorted()
    }

    /// The jobs that make the affected outputs again, each at the path it had; nil when a product
    /// or person they show is missing from the plan.
    private func jobs(_ affected: [(Int, Showing<Int>)], record: PatchRecord, plan: SitePlan) -> [OutputJob]? {
        let views = Dictionary(plan.listed.map { ($0.product.source.file, $0) }, uniquingKeysWith: { first, _ in first })
        let people = Dictionary(plan.activePeople.map { ($0.person.username, $0) }, uniquingKeysWith: { first, _ in first })
        var jobs: [OutputJob] = []
        for (output, showing) in affected {
            guard let products = showing.products.map({ views[record.products[$0]] }) as [ProductView?] as? [ProductView] else {
                return nil
            }
            let job: OutputJob
            switch showing {
            case .product:
                guard let view = products.first else { return nil }
                job = plan.productPage(view)
            case .list(let list, let number, let pageCount, let total, _):
                job = plan.listPage(plan.listSpec(list), items: products, number: number, pageCount: pageCount, total: total)
            case .home(_, let usernames, _, let tiles):
                guard let shown = usernames.map({ people[$0] }) as [PersonView?] as? [PersonView],
                      tiles.count == plan.content.categories.count else { return nil }
                job = plan.homePage(newest: products, people: shown, tiles: tiles)
            case .profile(let username, _):
                guard let person = people[username] else { return nil }
                job = plan.profilePage(person, products: products)
            case .feed(let slug, _):
                let category = slug.flatMap { slug in plan.content.categories.first { $0.slug == slug } }
                guard slug == nil || category != nil else { return nil }
                job = plan.feed(category: category, products: products)
            }
            guard job.path == record.outputs[output] else { return nil }
            jobs.append(job)
        }
        return jobs
    }

    /// The category and page files among the content folder's files (relative paths), as
    /// `ContentListing` finds them.
    private static func sections(_ files: [String]) -> (categories: [String], pages: [String]) {
        func inSection(_ section: String) -> [String] {
            files.filter { path in
                path.hasPrefix(section + "/") && !path.dropFirst(section.count + 1).contains("/") && path.lowercased().hasSuffix(".md")
            }.sorted()
        }
        return (inSection("categories"), inSection("pages"))
    }

    private static func append(_ paths: [String], to file: URL) -> Bool {
        let text = paths.map { $0 + "\n" }.joined()
        let descriptor = open(file.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        return text.utf8CString.withUnsafeBufferPointer { buffer in
            write(descriptor, buffer.baseAddress, buffer.count - 1) == buffer.count - 1
        }
    }

    /// How messages show the content file at `relative`.
    private func display(_ relative: String) -> String {
        options.contentDisplayName.isEmpty ? relative : options.contentDisplayName + "/" + relative
    }

    private func relative(_ display: String) -> String {
        PatchRecord.relative(display, contentDisplayName: options.contentDisplayName)
    }
}

extension PatchRecord {
    func number(of product: String) -> Int? {
        products.firstIndex(of: product)
    }

    /// The outputs forgotten by a full build after patches: the cache's records of them are stale.
    static func patchedOutputs(_ file: URL) -> Set<String> {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return [] }
        return Set(text.split(separator: "\n").map(String.init))
    }
}

extension PatchRecord.Entries {
    /// `file` with the entries of some products replaced, and these entries with the ranges
    /// moved to match; nil when a range does not fit the file (it changed behind the record).
    func replacing(_ replacements: [Int: [UInt8]], in file: [UInt8]) -> ([UInt8], PatchRecord.Entries)? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(file.count + replacements.values.reduce(0) { $0 + $1.count })
        var moved = self
        var shift = 0
        var copied = 0
        for (index, product) in products.enumerated() {
            let range = ranges[index]
            guard range.upperBound <= file.count, range.lowerBound >= copied else { return nil }
            if let replacement = replacements[product] {
                bytes += file[copied..<range.lowerBound]
                bytes += replacement
                copied = range.upperBound
                moved.ranges[index] = (range.lowerBound + shift)..<(range.lowerBound + shift + replacement.count)
                shift += replacement.count - range.count
            } else if shift != 0 {
                moved.ranges[index] = (range.lowerBound + shift)..<(range.upperBound + shift)
            }
        }
        bytes += file[copied...]
        return (bytes, moved)
    }
}
