import Foundation

/// The files of a content folder, sorted, sorted into Markdown by section and everything else.
struct ContentListing {
    struct MarkdownFile: Sendable {
        /// Relative to the content folder, e.g. `products/tea/sencha.md`.
        let path: String
        let stem: String
        let modified: Date
        let stamp: FileStamp
    }

    private(set) var hasSiteConfig = false
    private(set) var markdownFiles: [MarkdownFile] = []
    /// Markdown outside the four sections.
    private(set) var strayMarkdown: [String] = []
    /// Non-Markdown files, copied through to the output.
    private(set) var otherFiles: [String] = []

    static func scan(_ directory: URL) throws -> ContentListing {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: directory.path])
        }
        var listing = ContentListing()
        // Stamped as listed (`fstatat` in each open folder): a `stat` by full path per file made
        // the kernel walk every path again.
        for (relative, info) in DirectoryWalk.statFiles(directory.path).sorted(by: { $0.relative < $1.relative }) {
            if relative == "site.yml" {
                listing.hasSiteConfig = true
                continue
            }
            // Cut at the first and last `/` rather than split into every part (a tenth of an edit's listing).
            let name = relative.lastIndex(of: "/").map { String(relative[relative.index(after: $0)...]) } ?? relative
            guard name.lowercased().hasSuffix(".md") else {
                listing.otherFiles.append(relative)
                continue
            }
            let firstSlash = relative.firstIndex(of: "/")
            let section = firstSlash.map { String(relative[..<$0]) } ?? ""
            guard firstSlash != nil, ["categories", "products", "people", "pages"].contains(section) else {
                listing.strayMarkdown.append(relative)
                continue
            }
            let stamp = FileStamp(info)
            listing.markdownFiles.append(MarkdownFile(
                path: relative, stem: String(name.dropLast(3)),
                modified: Date(timeIntervalSince1970: TimeInterval(stamp.modified / 1_000_000_000)), stamp: stamp))
        }
        return listing
    }

    static func fileStamp(_ path: String) -> FileStamp {
        var info = stat()
        guard stat(path, &info) == 0 else { return FileStamp(size: -1, modified: 0) }
        return FileStamp(info)
    }

    /// Markdown files of one section; `recursive: false` reports files in subfolders as stray.
    func markdown(in section: String, recursive: Bool) -> [MarkdownFile] {
        markdownFiles.filter { file in
            guard file.path.hasPrefix(section + "/") else { return false }
            return recursive || !file.path.dropFirst(section.count + 1).contains("/")
        }
    }
}

extension FileStamp {
    public init(_ info: stat) {
        self.init(size: Int64(info.st_size),
                  modified: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec),
                  changed: Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec),
                  inode: UInt64(info.st_ino))
    }
}
