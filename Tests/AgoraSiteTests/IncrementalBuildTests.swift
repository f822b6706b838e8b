import AgoraContent
import Foundation
import Testing
@testable import AgoraSite

/// The build cache: a rebuild parses and renders only what changed, and its output is always the
/// output a full build would give.
@Suite struct IncrementalBuildTests {
    /// Files whose bytes differ between two snapshots, plus files only in one of them.
    static func changed(_ before: [String: Data], _ after: [String: Data]) -> Set<String> {
        Set(Set(before.keys).union(after.keys).filter { before[$0] != after[$0] })
    }

    static func pages(_ paths: Set<String>) -> Set<String> { paths.filter { $0.hasSuffix(".html") } }

    @Test func aRebuildWithNothingChangedRendersAndWritesNothing() throws {
        let site = try TestSite(TestSite.shop)
        let first = try site.build()
        #expect(first.pagesRendered == first.pages)
        #expect(first.contentFilesParsed == 12)

        let second = try site.build()
        #expect(second.pagesRendered == 0)
        #expect(second.filesWritten == 0)
        #expect(second.contentFilesParsed == 0)
    }

    @Test func changingOneProductRendersExactlyThePagesThatShowIt() throws {
        let site = try TestSite(TestSite.shop)
        try site.build()
        let before = try site.snapshot()
        let untouched = try site.modificationDate("products/gyokuro/index.html")

        try site.write("products/green/sencha.md", try String(contentsOf: site.content.appendingPathComponent("products/green/sencha.md"),
                                                              encoding: .utf8).replacingOccurrences(of: "price: 12.5", with: "price: 13.75"))
        let summary = try site.build()
        let changed = Self.changed(before, try site.snapshot())

        // Its page, the lists and the profile that show its card, the home page, and the manifests.
        #expect(Self.pages(changed) == ["products/sencha/index.html", "index.html", "catalog/index.html",
                                        "catalog/green-tea/index.html", "people/ana/index.html",
                                        "tags/green/index.html", "tags/japan/index.html"])
        #expect(summary.pagesRendered == Self.pages(changed).count)
        #expect(changed.isSuperset(of: ["catalog.json", "search.json", "feed.xml"]))
        #expect(summary.filesWritten == changed.count)
        #expect(summary.contentFilesParsed == 1)
        #expect(try site.read("products/sencha/index.html").contains("13.75"))
        #expect(try site.modificationDate("products/gyokuro/index.html") == untouched)
    }

    /// The cache is saved in two sections encoded side by side and read back the same way: the
    /// file holds what `write(to:)` writes, it reads back whole, and a damaged one reads as empty.
    @Test func theCacheReadsBackWhatWasSaved() throws {
        let site = try TestSite(TestSite.shop)
        try site.build()
        let file = try #require(site.options.cacheFile)
        let cache = BuildCache.load(file, key: site.options.cacheKey)
        let loader = ContentLoader(directory: site.content)
        #expect(try loader.load(reusing: cache.parsed).filesParsed == 0)
        #expect(cache.outputs.count > 20 && !cache.markdown.isEmpty)
        var writer = BinaryWriter()
        cache.write(to: &writer)
        let saved = try Data(contentsOf: file)
        #expect([UInt8](saved) == writer.bytes)
        try cache.save(file)
        #expect(try Data(contentsOf: file) == saved)

        try saved.dropLast(7).write(to: file)
        let damaged = BuildCache.load(file, key: site.options.cacheKey)
        #expect(try loader.load(reusing: damaged.parsed).filesParsed == 12)
        #expect(damaged.outputs.isEmpty && damaged.markdown.isEmpty)
    }

    @Test func changingATemplateRendersThePagesThatUseIt() throws {
        let site = try TestSite(TestSite.shop)
        try site.build()
        let before = try site.snapshot()
        let template = site.root.appendingPathComponent("themes/default/templates/product.mustache")
        try (String(contentsOf: template, encoding: .utf8) + "<!-- product template, edited -->\n")
            .write(to: template, atomically: true, encoding: .utf8)

        let summary = try site.build()
        let changed = Self.pages(Self.changed(before, try site.snapshot()))
        #expect(changed == ["products/sencha/index.html", "products/gyokuro/index.html", "products/bancha/index.html",
                            "products/assam/index.html"])
        #expect(summary.pagesRendered == 4)
        #expect(summary.contentFilesParsed == 0)
    }

    @Test func changingAPartialRendersEveryPageThatIncludesIt() throws {
        let site = try TestSite(TestSite.shop)
        try site.build()
        let before = try site.snapshot()
        let card = site.root.appendingPathComponent("themes/default/templates/partials/product_card.mustache")
        try (String(contentsOf: card, encoding: .utf8) + "<!-- card -->").write(to: card, atomically: true, encoding: .utf8)

        let summary = try site.build()
        let changed = Self.pages(Self.changed(before, try site.snapshot()))
        // Lists, the home page and profiles show cards; product pages do not.
        #expect(changed.contains("index.html") && changed.contains("catalog/page/2/index.html")
                && changed.contains("people/ana/index.html"))
        #expect(!changed.contains { $0.hasPrefix("products/") })
        #expect(summary.pagesRendered == changed.count)
    }

    @Test func aDeletedOutputFileIsMadeAgain() throws {
        let site = try TestSite(TestSite.shop)
        try site.build(precompress: true)
        let page = try site.read("products/assam/index.html")
        try FileManager.default.removeItem(at: site.output.appendingPathComponent("products/assam/index.html"))
        try FileManager.default.removeItem(at: site.output.appendingPathComponent("products/sencha/index.html.gz"))

        let summary = try site.build(precompress: true)
        #expect(try site.read("products/assam/index.html") == page)
        #expect(site.exists("products/sencha/index.html.gz"))
        #expect(summary.pagesRendered == 2)
    }

    @Test func crossFileChecksStillSeeFilesTakenFromTheCache() throws {
        let site = try TestSite(TestSite.shop)
        try site.build()
        try FileManager.default.removeItem(at: site.content.appendingPathComponent("categories/black-tea.md"))

        #expect {
            try site.build()
        } throws: { error in
            guard let failure = error as? BuildFailure else { return false }
            return failure.description.contains("content/products/black/assam.md:4: category: \"black-tea\" does not exist")
        }
        #expect(site.exists("catalog/black-tea/index.html"), "a failed build keeps the old output")
    }

    /// After a series of edits, additions and removals, the incremental output is byte for byte the
    /// output of a build from scratch.
    @Test func incrementalOutputEqualsAFullBuild() throws {
        let site = try TestSite(TestSite.shop)
        try site.build()
        try site.write("products/green/sencha.md", "---\nname: Sencha Superior\nsku: GT-1\ncategory: green-tea\nprice: 14\nstock: 2\n"
                       + "maker: bea\ndate: 2026-03-02\nimage: images/sencha.png\n---\nNow *brighter*, see [Gyokuro](/products/gyokuro/).\n")
        try site.write("products/black/ceylon.md", "---\nname: Ceylon\nsku: BT-3\ncategory: black-tea\nprice: 6\nstock: 9\n"
                       + "date: 2026-05-01\n---\nBrisk.\n")
        try FileManager.default.removeItem(at: site.content.appendingPathComponent("products/green/bancha.md"))
        try site.write("people/bea.md", "---\nname: Beatriz Costa\nlocation: Lisbon\n---\nBea blends and sells.\n")
        try site.write("categories/green-tea.md", "---\nname: Green Teas\nweight: 1\n---\nSteamed leaves.\n")
        let incremental = try site.build()
        #expect(incremental.contentFilesParsed == 4)

        var fresh = site.options
        fresh.outputDirectory = site.root.appendingPathComponent("fresh")
        fresh.cacheDirectory = nil
        try SiteBuilder(options: fresh).build()
        let full = try TestSite.snapshot(of: fresh.outputDirectory)
        #expect(try site.snapshot() == full)
    }

    /// Feeds are made again only when their fingerprint changes (`Feeds.atomFingerprint`): after
    /// each edit of something a feed shows, one at a time, the output is a fresh build's.
    @Test func feedsFollowEveryEditOfWhatTheyShow() throws {
        let site = try TestSite(TestSite.shop)
        try site.build()
        let edits: [(file: String, from: String, to: String)] = [
            ("site.yml", "title: Tea & Co", "title: Tea & Sons"),
            ("site.yml", "base_url: https://tea.example/shop", "base_url: https://leaves.example/"),
            ("products/green/sencha.md", "date: 2026-03-01", "date: 2026-03-09"),
            ("products/green/sencha.md", "price: 12.5", "price: 13"),
            ("products/green/sencha.md", "A **bright** tea.", "A *brighter* tea."),
            ("products/green/gyokuro.md", "name: Gyokuro", "name: Gyokuro Asahi"),
            ("products/green/gyokuro.md", "category: green-tea", "category: black-tea"),
            ("people/ana.md", "name: Ana Silva", "name: Ana S. Silva"),
            ("products/green/sencha.md", "maker: ana", "maker: bea"),
            ("categories/black-tea.md", "name: Black Tea", "name: Red Tea"),
        ]
        for edit in edits {
            let text = try String(contentsOf: site.content.appendingPathComponent(edit.file), encoding: .utf8)
            #expect(text.contains(edit.from), "\(edit.file)")
            try site.write(edit.file, text.replacingOccurrences(of: edit.from, with: edit.to))
            try site.build()
            var fresh = site.options
            fresh.outputDirectory = site.root.appendingPathComponent("fresh")
            fresh.cacheDirectory = nil
            try? FileManager.default.removeItem(at: fresh.outputDirectory)
            try SiteBuilder(options: fresh).build()
            #expect(try site.snapshot() == TestSite.snapshot(of: fresh.outputDirectory), "after \(edit.to)")
        }
    }
}

/// After a deploy, pages that browsers and caches still hold keep finding their stylesheet: the
/// previous build's hashed assets stay for a day.
@Suite struct RetiredAssetTests {
    private func assets(_ site: TestSite) throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: site.output.appendingPathComponent("assets").path)
            .filter { $0.hasPrefix("style.") && $0.hasSuffix(".css") })
    }

    @Test func theOldStylesheetStaysForADayThenGoes() throws {
        let site = try TestSite(TestSite.shop)
        try site.build()
        let old = try #require(try assets(site).first)
        let stylesheet = site.root.appendingPathComponent("themes/default/assets/style.css")
        try (String(contentsOf: stylesheet, encoding: .utf8) + "\n.new { color: red; }\n").write(to: stylesheet, atomically: true, encoding: .utf8)
        try site.build()
        let both = try assets(site)
        #expect(both.count == 2 && both.contains(old))
        let new = try #require(both.subtracting([old]).first)
        #expect(try site.read("index.html").contains("/assets/\(new)"))
        #expect(!(try site.read("index.html").contains("/assets/\(old)")))
        #expect(try site.read(".agora-retired-assets").contains(" assets/\(old)\n"))
        try site.build()
        #expect(try assets(site) == both)   // a later build within the day keeps it too

        var expired = site.options
        expired.retiredAssetLifetime = 0
        try SiteBuilder(options: expired).build()
        #expect(try assets(site) == [new])
        #expect(!site.exists(".agora-retired-assets"))
    }
}

/// The no-change fast path (`InputStamps`): a rebuild with nothing changed reads nothing, and any
/// change — an edit, a touch, an edit with the old modification time put back, an edit in the
/// same second as a build, a file missing from or added to the output — takes the full way.
@Suite struct InputStampTests {
    /// A site whose files are older than a second, so a build may trust their stamps.
    private func settledSite() throws -> TestSite {
        let site = try TestSite(TestSite.shop)
        Thread.sleep(forTimeInterval: 1.1)
        return site
    }

    @Test func anUnchangedSiteIsUpToDateWithTheSameSummary() throws {
        let site = try settledSite()
        let first = try site.build()
        #expect(!first.upToDate)
        let before = try site.snapshot()
        let second = try site.build()
        #expect(second.upToDate && second.pagesRendered == 0 && second.filesWritten == 0)
        #expect(second.pages == first.pages && second.products == first.products && second.searchIndexBytes == first.searchIndexBytes)
        #expect(second.linkWarnings == first.linkWarnings && second.contentWarnings == first.contentWarnings)
        #expect(try site.snapshot() == before)
    }

    /// The output stamps a build saves come from the walk that removes stale files; they must be
    /// what a walk of the output folder finds afterwards, or the next build could not be up to date.
    @Test func savedOutputStampsAreWhatAWalkFinds() throws {
        let site = try settledSite()
        try site.build()
        try Data("stray".utf8).write(to: site.output.appendingPathComponent("stray.html"))
        let second = try site.build()
        #expect(!second.upToDate && second.filesRemoved == 1)
        let stampsFile = try #require(site.options.stampsFile)
        let saved = try #require(InputStamps.load(stampsFile))
        let walked = Dictionary(uniqueKeysWithValues: DirectoryWalk.statFiles(site.output.path).map { ($0.relative, Int($0.info.st_size)) })
        #expect(saved.outputs.files == walked)
        #expect(saved.outputs.fileCount == (try site.snapshot()).count && !site.exists("stray.html"))
        #expect(try site.build().upToDate)
    }

    /// A product file touched without a change is not up to date: it is patched (`PatchBuild`),
    /// which writes nothing.
    @Test func aTouchedFileChangesNothing() throws {
        let site = try settledSite()
        try site.build()
        let before = try site.snapshot()
        let file = site.content.appendingPathComponent("products/green/sencha.md").path
        try FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: file)
        let summary = try site.build()
        #expect(!summary.upToDate && summary.patched && summary.filesWritten == 0)
        #expect(try site.snapshot() == before)
    }

    @Test func anEditWithItsOldModificationTimeIsStillSeen() throws {
        let site = try settledSite()
        try site.build()
        let file = site.content.appendingPathComponent("products/green/sencha.md")
        var info = stat()
        #expect(stat(file.path, &info) == 0)
        let text = try String(contentsOf: file, encoding: .utf8)
        let edited = text.replacingOccurrences(of: "price: 12.5\n", with: "price: 13.5\n")
        #expect(edited != text && edited.utf8.count == text.utf8.count)   // same size too
        try edited.write(to: file, atomically: false, encoding: .utf8)
        // The old modification time to the nanosecond: only the change time tells.
        var times = [info.st_atim, info.st_mtim]
        #expect(utimensat(AT_FDCWD, file.path, &times, 0) == 0)
        var after = stat()
        #expect(stat(file.path, &after) == 0 && after.st_mtim.tv_nsec == info.st_mtim.tv_nsec && after.st_size == info.st_size)
        let summary = try site.build()
        #expect(!summary.upToDate)
        #expect(try site.read("products/sencha/index.html").contains("13.50"))
    }

    @Test func anEditInTheSecondOfABuildIsSeenByTheNext() throws {
        let site = try TestSite(TestSite.shop)   // files written just now: their stamps are not trusted
        try site.build()
        try site.write("products/green/sencha.md", try String(contentsOf: site.content.appendingPathComponent("products/green/sencha.md"),
                                                              encoding: .utf8).replacingOccurrences(of: "price: 12.5\n", with: "price: 14.5\n"))
        let summary = try site.build()
        #expect(!summary.upToDate)
        #expect(try site.read("products/sencha/index.html").contains("14.50"))
    }

    @Test func aStampSetIsTheSameInAnyOrderAndDiffersWithAnyFile() {
        let files: [(String, [Int64])] = (0..<200).map { ("products/p\($0)/index.html", [Int64($0 * 7), 1_700_000_000_000_000_000]) }
        func set(_ entries: [(String, [Int64])]) -> StampSet {
            var set = StampSet()
            for (path, numbers) in entries { set.add("", path, (numbers[0], numbers.count > 1 ? numbers[1] : 0, 0, 0)) }
            return set
        }
        let reference = set(files)
        #expect(set(files.reversed()) == reference && set(files.shuffled()) == reference)
        var changed = files
        changed[17].1[1] += 1                                              // one time, one nanosecond
        #expect(set(changed) != reference)
        var renamed = files
        renamed[3].0 = "products/p3/index.htm"
        #expect(set(renamed) != reference)
        #expect(set(Array(files.dropLast())) != reference)
        #expect(set(files + [files[0]]) != reference)                     // the same file twice
        // A path and a number cannot trade places; a root and its path are joined by `/`.
        #expect(set([("a1", [2])]) != set([("a", [0x31, 2])]))
        var underRoot = StampSet()
        underRoot.add("/site/content", "products/p1/index.html", (7, 1_700_000_000_000_000_000, 0, 0))
        #expect(underRoot == set([("/site/content/products/p1/index.html", [7, 1_700_000_000_000_000_000])]))
        // Hashed on several threads, the same set.
        let many = (0..<5000).map { ("f\($0)", [Int64($0)]) }
        #expect(StampSet.of(many) { $0.add("", $1.0, ($1.1[0], 0, 0, 0)) } == set(many))
    }

    /// Content files whose stamps are as they were are not read (`ContentLoader`), their bodies
    /// read only for pages made again. After a touch, an edit with its old modification time put
    /// back, and a template change that makes every page again from bodies not read, the output
    /// is a fresh build's each time.
    @Test func filesSkippedByTheirStampsGiveAFreshBuildsOutput() throws {
        let site = try settledSite()
        try site.build()
        let sencha = site.content.appendingPathComponent("products/green/sencha.md")
        // These edits keep the product in its place, which a patch would make (`PatchBuild`): the
        // record it needs is removed before each build, so that the full way is the one tested.
        let record = try #require(site.options.patchRecordFile)
        func build() throws -> BuildSummary {
            try? FileManager.default.removeItem(at: record)
            return try site.build()
        }

        try FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: sencha.path)
        let touched = try build()
        #expect(!touched.upToDate && touched.contentFilesRead == 1 && touched.contentFilesParsed == 0 && touched.pagesRendered == 0)
        #expect(try site.snapshot() == site.freshSnapshot())

        var info = stat()
        #expect(stat(sencha.path, &info) == 0)
        let text = try String(contentsOf: sencha, encoding: .utf8)
        let edited = text.replacingOccurrences(of: "A **bright** tea.", with: "A **bitter** tea.")
        #expect(edited != text && edited.utf8.count == text.utf8.count)
        try edited.write(to: sencha, atomically: false, encoding: .utf8)
        var times = [info.st_atim, info.st_mtim]
        #expect(utimensat(AT_FDCWD, sencha.path, &times, 0) == 0)
        let sameTime = try build()
        #expect(sameTime.contentFilesRead == 1 && sameTime.pagesRendered >= 1)
        #expect(try site.read("products/sencha/index.html").contains("<strong>bitter</strong>"))
        #expect(try site.snapshot() == site.freshSnapshot())

        // The edit came within a second of that build's listing: the next build reads it again,
        // and the one after reads no content file.
        Thread.sleep(forTimeInterval: 1.1)
        #expect(try build().contentFilesRead == 1)
        let template = site.root.appendingPathComponent("themes/default/templates/product.mustache")
        try (String(contentsOf: template, encoding: .utf8) + "<!-- edited -->\n").write(to: template, atomically: true, encoding: .utf8)
        let retemplated = try build()
        #expect(retemplated.contentFilesRead == 0 && retemplated.pagesRendered == 4)   // the four product pages
        #expect(try site.read("products/gyokuro/index.html").contains("Shaded."))
        #expect(try site.snapshot() == site.freshSnapshot())
    }

    @Test func theOutputFolderIsCheckedToo() throws {
        let site = try settledSite()
        try site.build()
        let page = try site.read("products/assam/index.html")
        try FileManager.default.removeItem(at: site.output.appendingPathComponent("products/assam/index.html"))
        let rebuilt = try site.build()
        #expect(!rebuilt.upToDate)
        #expect(try site.read("products/assam/index.html") == page)
        try Data("stray".utf8).write(to: site.output.appendingPathComponent("stray.html"))
        let cleaned = try site.build()
        #expect(!cleaned.upToDate && !site.exists("stray.html"))
        #expect(try site.build().upToDate)
        #expect(!(try SiteBuilder(options: { var options = site.options; options.precompress = true; return options }()).build().upToDate))
    }

    /// A site whose output folders settled before they were stamped: built, then, more than a
    /// second later, built again with nothing changed, which lists the folders once, finds them
    /// settled, and saves their stamps for the checks after it.
    private func siteWithSettledOutput() throws -> TestSite {
        let site = try settledSite()
        try site.build()
        let stampsFile = try #require(site.options.stampsFile)
        #expect(try #require(InputStamps.load(stampsFile)).outputs.folders.allSatisfy { $0.stamp == nil })
        Thread.sleep(forTimeInterval: 1.1)
        #expect(try site.build().upToDate)
        #expect(try site.build().upToDate)
        return site
    }

    /// Settled output folders are checked by their own stamp, not listed: a file added to one, or
    /// a page whose size changed in place, is still seen, and the next build puts the output right.
    @Test func settledOutputFoldersAreCheckedByTheirStamps() throws {
        let site = try siteWithSettledOutput()
        let stampsFile = try #require(site.options.stampsFile)
        let saved = try #require(InputStamps.load(stampsFile))
        let assam = try #require(saved.outputs.folders.first { $0.path == "products/assam" })
        #expect(assam.stamp != nil)   // this check goes by the stamp, not by a listing
        #expect(saved.outputs.folders.filter { $0.stamp == nil }.count < saved.outputs.folders.count / 2)
        let before = try site.snapshot()

        try Data("stray".utf8).write(to: site.output.appendingPathComponent("products/assam/stray.html"))
        let cleaned = try site.build()
        #expect(!cleaned.upToDate && !site.exists("products/assam/stray.html"))
        #expect(try site.snapshot() == before)

        let again = try siteWithSettledOutput()
        let page = again.output.appendingPathComponent("products/assam/index.html")
        let text = try String(contentsOf: page, encoding: .utf8)
        try (text + "<!-- edited in place -->").write(to: page, atomically: false, encoding: .utf8)
        let restored = try again.build()
        #expect(!restored.upToDate)
        #expect(try again.read("products/assam/index.html") == text)
    }

    /// A stamps file that cannot be read (damaged, or from another version) means the full way,
    /// never a crash: a number too large for an `Int` where a text's length belongs, say.
    @Test func aDamagedStampsFileTakesTheFullWay() throws {
        let site = try settledSite()
        try site.build()
        let stampsFile = try #require(site.options.stampsFile)
        try Data([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x41]).write(to: stampsFile)
        let summary = try site.build()
        #expect(!summary.upToDate && summary.pages > 0)
    }
}
