import Foundation
import Testing
@testable import AgoraContent

/// A load with an earlier load's results reads only the files whose stamps changed, and reads a
/// file whose stamp it cannot trust (touched within a second of the earlier listing) even when the
/// stamp is as it was.
@Suite struct ContentStampTests {
    private static let files = [
        "site.yml": TempContent.site,
        "categories/green-tea.md": TempContent.category,
        "products/sencha.md": "---\nname: Sencha\ncategory: green-tea\nprice: 12.50\n---\nA *bright* tea.\n",
        "products/gyokuro.md": "---\nname: Gyokuro\ncategory: green-tea\nprice: 30\n---\nShaded for weeks.\n",
        "people/ana.md": "---\nname: Ana Silva\n---\nGrows tea.\n",
        "pages/about.md": "---\ntitle: About us\n---\nHello.\n",
    ]

    private func stamp(_ content: TempContent, _ path: String) -> FileStamp {
        FileStamp.of(content.root.appendingPathComponent(path).path)
    }

    /// The earlier results as if they had been listed `seconds` after the newest file was touched.
    private func listed(_ load: ContentLoad, _ content: TempContent, secondsAfterNewest seconds: Double) -> ParsedFiles {
        var parsed = load.parsed
        let newest = Self.files.keys.map { stamp(content, $0).latest }.max() ?? 0
        parsed.listedAt = newest + Int64(seconds * 1_000_000_000)
        return parsed
    }

    private func same(_ a: SiteContent, _ b: SiteContent) -> Bool {
        a.products == b.products && a.categories == b.categories && a.people == b.people && a.pages == b.pages
    }

    private func texts(_ site: SiteContent) -> [String] {
        site.products.map(\.descriptionMarkdown.text) + site.categories.map(\.descriptionMarkdown.text)
            + site.people.map(\.bioMarkdown.text) + site.pages.map(\.bodyMarkdown.text)
    }

    @Test func filesWithSettledUnchangedStampsAreNotRead() throws {
        let content = try TempContent(Self.files)
        let loader = ContentLoader(directory: content.root)
        let first = try loader.load(reusing: ParsedFiles())
        #expect(first.filesRead == 5 && first.filesParsed == 5)

        let second = try loader.load(reusing: listed(first, content, secondsAfterNewest: 2))
        #expect(second.filesRead == 0 && second.filesParsed == 0)
        #expect(same(second.content, first.content))
        // The bodies not read are read when asked for, and are the files' bodies.
        #expect(texts(second.content) == texts(first.content))
        #expect(second.content.products.map(\.descriptionMarkdown.text) == ["Shaded for weeks.", "A *bright* tea."])
    }

    @Test func aTouchedFileIsReadButNotParsedAgain() throws {
        let content = try TempContent(Self.files)
        let loader = ContentLoader(directory: content.root)
        let first = try loader.load(reusing: ParsedFiles())
        let earlier = listed(first, content, secondsAfterNewest: 2)
        let file = content.root.appendingPathComponent("products/sencha.md").path
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -3600)], ofItemAtPath: file)

        let second = try loader.load(reusing: earlier)
        #expect(second.filesRead == 1 && second.filesParsed == 0)
        #expect(same(second.content, first.content))
    }

    @Test func anEditedFileIsReadWhateverItsModificationTime() throws {
        let content = try TempContent(Self.files)
        let loader = ContentLoader(directory: content.root)
        let first = try loader.load(reusing: ParsedFiles())
        let earlier = listed(first, content, secondsAfterNewest: 2)
        let file = content.root.appendingPathComponent("products/sencha.md")
        var before = stat()
        #expect(stat(file.path, &before) == 0)
        try content.write("products/sencha.md", "---\nname: Sencha\ncategory: green-tea\nprice: 12.50\n---\nA *bitter* tea.\n")
        var times = [before.st_atim, before.st_mtim]
        #expect(utimensat(AT_FDCWD, file.path, &times, 0) == 0)   // same size, same modification time

        let second = try loader.load(reusing: earlier)
        #expect(second.filesRead == 1)
        #expect(second.content.products.map(\.descriptionMarkdown.text) == ["Shaded for weeks.", "A *bitter* tea."])
    }

    /// A clock that did not move between two writes leaves the stamp as it was (simulated here:
    /// `ctime` cannot be set back). Within a second of the earlier listing the loader does not
    /// trust the stamp and reads the file; later it would, which is why the rule is needed.
    @Test func aStampFromTheSecondOfTheListingIsNotTrusted() throws {
        let content = try TempContent(Self.files)
        let loader = ContentLoader(directory: content.root)
        let first = try loader.load(reusing: ParsedFiles())
        try content.write("products/sencha.md", "---\nname: Sencha\ncategory: green-tea\nprice: 12.50\n---\nA *bitter* tea.\n")
        let sameStamp = { (seconds: Double) -> ParsedFiles in
            var earlier = self.listed(first, content, secondsAfterNewest: seconds)
            let old = earlier.products["products/sencha.md"]!
            earlier.products["products/sencha.md"] = ParsedFile(key: old.key, stamp: self.stamp(content, "products/sencha.md"),
                                                                 bodyDigest: old.bodyDigest, item: old.item, keys: old.keys)
            return earlier
        }

        let racy = try loader.load(reusing: sameStamp(0.5))
        #expect(racy.filesRead == 5)   // every file here was written within that second
        #expect(racy.content.products.map(\.descriptionMarkdown.text) == ["Shaded for weeks.", "A *bitter* tea."])
        #expect(racy.parsed.products["products/sencha.md"]?.bodyDigest == MarkdownBody("A *bitter* tea.").digest)

        let trusted = try loader.load(reusing: sameStamp(2))
        #expect(trusted.filesRead == 0)
        #expect(trusted.content.products.last?.descriptionMarkdown == MarkdownBody("A *bright* tea."))
    }

    @Test func stampsAreSettledOnlyASecondAfterTheirLatestTime() {
        let stamp = FileStamp(size: 1, modified: 10_000_000_000, changed: 12_000_000_000, inode: 7)
        #expect(!stamp.settled(before: 12_500_000_000))
        #expect(!stamp.settled(before: 13_000_000_000))
        #expect(stamp.settled(before: 13_000_000_001))
    }
}
