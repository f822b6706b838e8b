import AgoraContent
import Foundation

/// Where a build reads and writes (SPEC §7); every folder can be overridden on the command line.
public struct BuildOptions: Sendable {
    public var contentDirectory: URL
    /// How the content folder is named in error lines.
    public var contentDisplayName: String
    /// A theme folder, or nil for `themes/<theme from site.yml>` under `themesDirectory`.
    public var themeDirectory: URL?
    public var themesDirectory: URL
    public var outputDirectory: URL
    public var includeDrafts: Bool
    /// Broken internal links fail the build instead of being warnings.
    public var strictLinks: Bool
    /// Where the build cache is kept between builds (`.agora-cache/` beside the output folder),
    /// or nil to build everything from scratch and remember nothing.
    public var cacheDirectory: URL?
    /// False renders every file as in a first build (the cache is then written afresh).
    public var reuseCache = true
    /// Seconds a hashed asset the theme no longer produces stays in `output/assets/`, so pages
    /// that browsers and caches still hold keep their stylesheet and script after a deploy.
    public var retiredAssetLifetime: TimeInterval = 86_400
    /// Writes `.gz` and `.br` copies beside text files, for a web server that sends them as they
    /// are (nginx's `gzip_static`); off by default, which halves the files a build writes.
    public var precompress = false
    /// The process ends after this build (`agora build`): its memory is left for the exit to free
    /// (`MemoryKeeper`). Never for a server that builds again.
    public var keepsMemoryUntilExit = false

    public init(contentDirectory: URL, contentDisplayName: String = "content", themeDirectory: URL? = nil,
                themesDirectory: URL, outputDirectory: URL, includeDrafts: Bool = false, strictLinks: Bool = false,
                cacheDirectory: URL? = nil) {
        self.contentDirectory = contentDirectory
        self.contentDisplayName = contentDisplayName
        self.themeDirectory = themeDirectory
        self.themesDirectory = themesDirectory
        self.outputDirectory = outputDirectory
        self.includeDrafts = includeDrafts
        self.strictLinks = strictLinks
        self.cacheDirectory = cacheDirectory ?? outputDirectory.standardizedFileURL.deletingLastPathComponent()
            .appendingPathComponent(".agora-cache")
    }

    /// The cache file of this output folder (two output folders of one site keep two caches).
    var cacheFile: URL? {
        cacheDirectory?.appendingPathComponent("build-\(outputDirectory.standardizedFileURL.lastPathComponent).cache")
    }

    /// The stamps of the inputs and outputs of the last successful build (`InputStamps`).
    var stampsFile: URL? {
        cacheDirectory?.appendingPathComponent("stamps-\(outputDirectory.standardizedFileURL.lastPathComponent).bin")
    }

    /// What an edit's patch needs from the last build (`PatchRecord`).
    var patchRecordFile: URL? {
        cacheDirectory?.appendingPathComponent("patch-\(outputDirectory.standardizedFileURL.lastPathComponent).bin")
    }

    /// Outputs that patches rewrote since the build cache was saved, one per line: the cache's
    /// records of them are stale, and the next full build forgets them (`PatchBuild`).
    var patchedOutputsFile: URL? {
        cacheDirectory?.appendingPathComponent("patched-\(outputDirectory.standardizedFileURL.lastPathComponent).txt")
    }

    /// The folders a build reads: the content and the theme (all of `themes/` when site.yml picks it).
    var stampedFolders: [URL] {
        [contentDirectory, themeDirectory ?? themesDirectory]
    }

    /// Everything besides the inputs' files that the output depends on.
    var stampsKey: String {
        [cacheKey, strictLinks ? "strict" : "", precompress ? "precompress" : "",
         ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"] ?? ""].joined(separator: "\u{1F}")
    }

    /// Everything besides the content that the cached values depend on.
    var cacheKey: String {
        [BuildCache.generatorStamp, contentDirectory.standardizedFileURL.path, contentDisplayName,
         themeDirectory?.standardizedFileURL.path ?? themesDirectory.standardizedFileURL.path,
         includeDrafts ? "drafts" : "", "\(BuildCache.format)"].joined(separator: "\u{1F}")
    }

    /// The conventional layout of a site folder: `content/`, `themes/`, `output/`.
    public init(siteDirectory: URL, includeDrafts: Bool = false) {
        self.init(contentDirectory: siteDirectory.appendingPathComponent("content"),
                  themesDirectory: siteDirectory.appendingPathComponent("themes"),
                  outputDirectory: siteDirectory.appendingPathComponent("output"), includeDrafts: includeDrafts)
    }
}

/// What a finished build did.
public struct BuildSummary: Sendable {
    public let pages: Int
    public let products: Int
    public let categories: Int
    public let people: Int
    public let filesWritten: Int
    public let filesUnchanged: Int
    public let filesRemoved: Int
    /// Pages rendered; the others' template and context were as in the last build, so they were skipped.
    public let pagesRendered: Int
    /// Content files parsed; the rest came from the build cache.
    public let contentFilesParsed: Int
    /// Content files read; the rest were unchanged by their stamps and their bodies read only for
    /// pages made again.
    public var contentFilesRead = 0
    public internal(set) var seconds: Double
    /// Size of `search.json` in bytes.
    public let searchIndexBytes: Int
    /// Broken internal links (a build with `--strict-links` fails instead).
    public let linkWarnings: [ContentIssue]
    /// Images no thumbnail could be made of; their pages show the full image.
    public let imageWarnings: [ContentIssue]
    /// Front-matter keys that look like typos of known ones (`stok` for `stock`).
    public let contentWarnings: [ContentIssue]
    /// Nothing was read or rendered: no input changed since the last build and the output is as it
    /// left it (the stamps' fast path).
    public var upToDate = false
    /// Only the outputs that show the edited products were made again, from those products
    /// alone: the edits changed no product's place in the site (`PatchBuild`).
    public var patched = false

    /// `Search index: 2.3 MB (10,000 products, 2,000 people)`-style second summary line.
    public var searchIndexLine: String {
        let size = searchIndexBytes >= 1_000_000 ? String(format: "%.1f MB", Double(searchIndexBytes) / 1_000_000)
            : String(format: "%.1f kB", Double(searchIndexBytes) / 1_000)
        return "Search index: search.json, \(size)"
    }

    /// `Built 10,052 pages in 1.84 s (10,000 products, 50 categories, 2,000 people)`.
    public var line: String {
        let time = String(format: "%.2f", seconds)
        return "Built \(grouped(pages)) pages in \(time) s (\(grouped(products)) products, "
            + "\(grouped(categories)) categories, \(grouped(people)) people)"
    }

    /// `Rendered 5 of 12,855 pages, wrote 14 files, removed 0, read 1 content file, parsed 1`: what
    /// the build cache saved.
    public var incrementalLine: String {
        "Rendered \(grouped(pagesRendered)) of \(grouped(pages)) pages, wrote \(grouped(filesWritten)) files, "
            + "removed \(grouped(filesRemoved)), read \(grouped(contentFilesRead)) content "
            + (contentFilesRead == 1 ? "file" : "files") + ", parsed \(grouped(contentFilesParsed))"
    }

    private func grouped(_ number: Int) -> String {
        let digits = String(number)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { result += "," }
            result.append(digit)
        }
        return result
    }
}
