import AgoraContent
import Foundation
import Testing
@testable import AgoraSite

/// An edit of products' own values is a patch (`PatchBuild`): only the outputs that show those
/// products are made again, from those products alone, and the output is always what a build from
/// scratch makes of the content.
@Suite struct PatchBuildTests {
    /// A site whose files were written more than a second before its first build, so that the
    /// build's stamps and record are trusted by the next one.
    private func settledSite() throws -> TestSite {
        let site = try TestSite(TestSite.shop)
        Thread.sleep(forTimeInterval: 1.1)
        return site
    }

    /// Replaces `from` with `to` in a content file, which must hold it.
    private func edit(_ site: TestSite, _ file: String, _ from: String, _ to: String) throws {
        let text = try String(contentsOf: site.content.appendingPathComponent(file), encoding: .utf8)
        #expect(text.contains(from), "\(file) holds \(from)")
        try site.write(file, text.replacingOccurrences(of: from, with: to))
    }

    @Test func anEditOfAProductsOwnValuesRewritesOnlyTheOutputsThatShowIt() throws {
        let site = try settledSite()
        let first = try site.build()
        let before = try site.snapshot()
        let untouched = try site.modificationDate("products/gyokuro/index.html")
        try edit(site, "products/green/sencha.md", "price: 12.5", "price: 13.75")
        Thread.sleep(forTimeInterval: 1.1)

        let summary = try site.build()
        #expect(summary.patched && !summary.upToDate)
        let changed = IncrementalBuildTests.changed(before, try site.snapshot())
        // Its page, the lists and the profile that show its card, the home page, and the manifests.
        #expect(IncrementalBuildTests.pages(changed) == ["products/sencha/index.html", "index.html", "catalog/index.html",
                                                          "catalog/green-tea/index.html", "people/ana/index.html",
                                                          "tags/green/index.html", "tags/japan/index.html"])
        #expect(changed.isSuperset(of: ["catalog.json", "search.json", "feed.xml", "catalog/green-tea/feed.xml"]))
        #expect(summary.filesWritten == changed.count && summary.pagesRendered == 7)
        #expect(summary.pages == first.pages && summary.linkWarnings == first.linkWarnings)
        #expect(try site.read("products/sencha/index.html").contains("13.75"))
        #expect(try site.modificationDate("products/gyokuro/index.html") == untouched)
        #expect(try site.snapshot() == site.freshSnapshot())

        // The patch saved stamps and a record of its own: nothing changed is up to date, and the
        // next edit is a patch again.
        #expect(try site.build().upToDate)
        try edit(site, "products/green/sencha.md", "price: 13.75", "price: 14")
        Thread.sleep(forTimeInterval: 1.1)
        #expect(try site.build().patched)
        #expect(try site.read("products/sencha/index.html").contains("14.00"))
        #expect(try site.snapshot() == site.freshSnapshot())
    }

    /// Edits of every kind one after the other: each that keeps every product in its place is a
    /// patch, the others take the full way, and after each the output, warnings and all, is a
    /// fresh build's.
    @Test func aSeriesOfEditsEndsWhereAFreshBuildDoes() throws {
        let site = try settledSite()
        try site.build()
        let edits: [(file: String, from: String, to: String, patched: Bool)] = [
            ("products/green/sencha.md", "price: 12.5", "price: 13", true),
            ("products/green/sencha.md", "A **bright** tea.", "A *brighter* tea, see [the guide](/guide/).", true),
            ("products/green/gyokuro.md", "stock: 0", "stock: 7", true),
            ("products/black/gone.md", "price: 1", "price: 2", true),            // not listed: catalog.json alone
            ("products/green/bancha.md", "Everyday.", "Every day.", true),        // its maker has no page
            ("products/green/sencha.md", "stock: 40", "stok: 40", false),         // a warning: the full way reports it
            ("products/green/sencha.md", "stok: 40", "stock: 41", false),         // it had a warning
            ("products/green/sencha.md", "name: Sencha", "name: Sencha Superior", false),
            ("products/green/sencha.md", "price: 13", "price: 12.5", true),
            ("products/black/assam.md", "category: black-tea", "category: green-tea", false),
            ("products/green/gyokuro.md", "date: 2026-02-01", "date: 2026-03-05", false),
            ("products/black/soon.md", "price: 1", "price: 3", false),           // a draft: the record does not know it
            ("people/ana.md", "Ana grows tea", "Ana grows fine tea", false),
            ("products/green/sencha.md", "see [the guide](/guide/)", "see [Gyokuro](/products/gyokuro/)", true),
        ]
        for edit in edits {
            try self.edit(site, edit.file, edit.from, edit.to)
            Thread.sleep(forTimeInterval: 1.1)
            let summary = try site.build()
            #expect(summary.patched == edit.patched, "\(edit.file): \(edit.to)")
            #expect(try site.snapshot() == site.freshSnapshot(), "after \(edit.to)")
            var fresh = site.options
            fresh.cacheDirectory = nil
            fresh.outputDirectory = site.root.appendingPathComponent("fresh")
            let check = try SiteBuilder(options: fresh).check()
            #expect(summary.linkWarnings == check.linkWarnings, "after \(edit.to)")
            #expect(summary.contentWarnings == check.contentWarnings, "after \(edit.to)")
        }
    }

    /// The build cache holds each output's fingerprint and size from the last full build. A page
    /// a patch rewrote to the same size, then edited back, would match the old record while the
    /// file shows the patched value: full builds forget the records of patched outputs.
    @Test func aFullBuildAfterAPatchMakesThePatchedPagesAgain() throws {
        let site = try settledSite()
        try site.build()
        try edit(site, "products/green/sencha.md", "price: 12.5", "price: 13.5")   // 12.50 → 13.50, the same size
        Thread.sleep(forTimeInterval: 1.1)
        #expect(try site.build().patched)
        try edit(site, "products/green/sencha.md", "price: 13.5", "price: 12.5")
        try edit(site, "products/black/assam.md", "date: 2026-01-01", "date: 2026-01-02")  // not a patch
        Thread.sleep(forTimeInterval: 1.1)
        let full = try site.build()
        #expect(!full.patched)
        #expect(try site.read("products/sencha/index.html").contains("12.50"))
        #expect(try site.snapshot() == site.freshSnapshot())
        #expect(!site.exists("../.agora-cache/patched-output.txt"))
    }

    /// A patch of an edit made in the second before it cannot trust that file's stamp: it
    /// records the file as changed, so a second edit just after, of the same size and maybe the
    /// same times, is read by the next build, which patches again. Only once the file has
    /// settled is nothing changed up to date.
    @Test func anEditInTheSecondOfAPatchIsReadAgainByTheNextPatch() throws {
        let site = try settledSite()
        try site.build()
        try edit(site, "products/green/sencha.md", "price: 12.5", "price: 14.5")
        #expect(try site.build().patched)
        try edit(site, "products/green/sencha.md", "price: 14.5", "price: 15.5")
        let next = try site.build()
        #expect(next.patched && !next.upToDate)
        #expect(try site.read("products/sencha/index.html").contains("15.50"))
        #expect(try site.snapshot() == site.freshSnapshot())

        // Unedited since, but not settled when last read: read again, and nothing is written.
        let again = try site.build()
        #expect(again.patched && again.filesWritten == 0)
        Thread.sleep(forTimeInterval: 1.1)
        #expect(try site.build().patched)
        #expect(try site.build().upToDate)
        #expect(try site.snapshot() == site.freshSnapshot())
    }

    /// A product edited right after another one's patch: the other, read again because its
    /// stamps were not yet trusted, still reads as the patch read it (`PatchRecord.racy`), so only
    /// the new edit's pages are made, as many as when it is edited alone.
    @Test func anEditRightAfterAnotherPatchesOnlyItself() throws {
        let alone = try settledSite()
        try alone.build()
        try edit(alone, "products/black/assam.md", "price: 8.05", "price: 9.05")
        let assamAlone = try alone.build()
        #expect(assamAlone.patched && assamAlone.pagesRendered > 0)

        let site = try settledSite()
        try site.build()
        try edit(site, "products/green/sencha.md", "price: 12.5", "price: 14.5")
        let sencha = try site.build()
        #expect(sencha.patched && sencha.pagesRendered > 0)
        try edit(site, "products/black/assam.md", "price: 8.05", "price: 9.05")
        let assam = try site.build()
        #expect(assam.patched && assam.pagesRendered == assamAlone.pagesRendered)
        #expect(try site.read("products/sencha/index.html").contains("14.50"))
        #expect(try site.read("products/assam/index.html").contains("9.05"))
        #expect(try site.snapshot() == site.freshSnapshot())
    }

    /// A full build whose inputs had not settled saves stamps that cannot say "nothing changed",
    /// and a record that marks the unsettled files as changed: a same-second edit of one of them
    /// is a patch, and one of a setting takes the full way.
    @Test func aFullBuildOfUnsettledFilesIsFollowedByAPatch() throws {
        let site = try settledSite()
        try edit(site, "products/green/sencha.md", "price: 12.5", "price: 14.5")
        let first = try site.build()
        #expect(!first.patched && !first.upToDate)
        try edit(site, "products/green/sencha.md", "price: 14.5", "price: 15.5")
        let next = try site.build()
        #expect(next.patched)
        #expect(try site.read("products/sencha/index.html").contains("15.50"))
        #expect(try site.snapshot() == site.freshSnapshot())

        try edit(site, "site.yml", "title: Tea", "title: New Tea")
        let full = try site.build()
        #expect(!full.patched && !full.upToDate)
        #expect(try site.snapshot() == site.freshSnapshot())
    }

    /// The record reads back as it was saved, and a damaged one takes the full way.
    @Test func theRecordReadsBackAndADamagedOneTakesTheFullWay() throws {
        let site = try settledSite()
        try site.build()
        let file = try #require(site.options.patchRecordFile)
        let record = try #require(PatchRecord.load(file))
        #expect(record.products.count == 5 && record.products.allSatisfy { $0.hasPrefix("content/products/") })
        #expect(record.outputs.contains("products/sencha/index.html") && record.showings.count == record.shown.count)
        let search = try Data(contentsOf: site.output.appendingPathComponent("search.json"))
        let sencha = try #require(record.search.products.firstIndex { record.products[$0] == "content/products/green/sencha.md" })
        #expect(String(decoding: search[record.search.ranges[sencha]], as: UTF8.self).contains("\"sku\":\"GT-1\""))

        // Written back as read: the layout's section is kept as it was, the stamps and places encoded again.
        let saved = try Data(contentsOf: file)
        let copy = file.deletingLastPathComponent().appendingPathComponent("record-copy.bin")
        try record.save(copy)
        #expect(try Data(contentsOf: copy) == saved)
        var moved = record
        moved.search.ranges[sencha] = moved.search.ranges[sencha].lowerBound..<(moved.search.ranges[sencha].upperBound + 5)
        try moved.save(copy)
        let movedBack = try #require(PatchRecord.load(copy))
        #expect(movedBack.search.ranges[sencha] == moved.search.ranges[sencha] && movedBack.outputs == record.outputs)
        #expect(movedBack.showings.count == record.showings.count && movedBack.placements == record.placements)

        var bytes = try Data(contentsOf: file)
        bytes.removeLast(7)
        try bytes.write(to: file)
        try edit(site, "products/green/sencha.md", "price: 12.5", "price: 13")
        Thread.sleep(forTimeInterval: 1.1)
        let summary = try site.build()
        #expect(!summary.patched)
        #expect(try site.snapshot() == site.freshSnapshot())
    }
}
