import AgoraContent
import Foundation
import Testing

@Suite struct DirectoryWalkTests {
    /// `statFiles` finds what `list` finds, each with what `stat` by full path says of it.
    @Test func statFilesAgreesWithListAndStat() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("agora-walk-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let files = ["a.md": "1", "products/b.md": "22", "products/deep/c d é.md": "333", ".hidden/x.md": "4",
                     "products/.draft.md": "5", "images/e.png": String(repeating: "6", count: 1000)]
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        try FileManager.default.createSymbolicLink(at: root.appendingPathComponent("link.md"),
                                                   withDestinationURL: root.appendingPathComponent("a.md"))

        let stats = DirectoryWalk.statFiles(root.path)
        #expect(stats.map(\.relative).sorted() == DirectoryWalk.list(root.path).files.sorted())
        #expect(Set(stats.map(\.relative)) == ["a.md", "products/b.md", "products/deep/c d é.md", "images/e.png"])
        for (relative, info) in stats {
            var byPath = stat()
            #expect(stat(root.path + "/" + relative, &byPath) == 0)
            #expect(info.st_ino == byPath.st_ino && info.st_size == byPath.st_size && info.st_mtim.tv_nsec == byPath.st_mtim.tv_nsec)
            #expect(Int(info.st_size) == files[relative]?.utf8.count)
        }
    }
}
