import Foundation

/// The files of a content folder, sorted, sorted into Markdown by section and everything else.
struct ContentListing {
    struct MarkdownFile: Sendable {
        /// Relative to the content folder, e.g. `products/tea/sencha.md`.
        let path: String
        let stem: String
        let modified: Date
    }

    private(set) var hasSiteConfig = false
    private(set) var markdownFiles: [MarkdownFile] = []
    /// Markdown outside the four sections.
    private(set) var strayMarkdown: [String] = []
    /// Non-Markdown files, copied through to the output.
    private(set) var otherFiles: [String] = []

    static func scan(_ directory: URL) throws -> ContentListing {
        var listing = ContentListing()
        let keys: [URLResourceKey] = [.isRegularFileKey, .contentModificationDateKey]
        let root = directory.standardizedFileURL.path
        guard let enumerator = FileManager.default.enumerator(
            at: directory, includingPropertiesForKeys: keys, options: [.skipsHiddenFiles]
        ) else { throw CocoaError(.fileReadNoSuchFile) }
        guard FileManager.default.fileExists(atPath: root) else { throw CocoaError(.fileReadNoSuchFile) }
        for case let url as URL in enumerator {
            let values = try url.resourceValues(forKeys: Set(keys))
            guard values.isRegularFile == true else { continue }
            var relative = url.standardizedFileURL.path
            if relative.hasPrefix(root) { relative.removeFirst(root.count) }
            while relative.hasPrefix("/") { relative.removeFirst() }
            if relative == "site.yml" {
                listing.hasSiteConfig = true
            } else if url.pathExtension.lowercased() == "md" {
                let section = relative.split(separator: "/").first.map(String.init) ?? ""
                if ["categories", "products", "people", "pages"].contains(section), relative.contains("/") {
                    listing.markdownFiles.append(MarkdownFile(
                        path: relative, stem: url.deletingPathExtension().lastPathComponent,
                        modified: values.contentModificationDate ?? Date(timeIntervalSince1970: 0)))
                } else {
                    listing.strayMarkdown.append(relative)
                }
            } else {
                listing.otherFiles.append(relative)
            }
        }
        listing.markdownFiles.sort { $0.path < $1.path }
        listing.strayMarkdown.sort()
        listing.otherFiles.sort()
        return listing
    }

    /// Markdown files of one section; `recursive: false` reports files in subfolders as stray.
    func markdown(in section: String, recursive: Bool) -> [MarkdownFile] {
        markdownFiles.filter { file in
            guard file.path.hasPrefix(section + "/") else { return false }
            return recursive || !file.path.dropFirst(section.count + 1).contains("/")
        }
    }
}
