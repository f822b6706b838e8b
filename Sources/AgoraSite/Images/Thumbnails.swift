import AgoraContent
import CVips
import Foundation

/// One thumbnail size of the theme, after the original design: 180×180 crops in lists and
/// profiles, 80×80 in the feed and the ranking. Each is also made at twice the size for `srcset`.
struct ThumbnailSize: Sendable, Hashable {
    let width: Int
    let height: Int

    static let card = ThumbnailSize(width: 180, height: 180)
    static let small = ThumbnailSize(width: 80, height: 80)
    static let all = [card, small]
}

/// A thumbnail as templates use it: `src`, a `srcset` with the 2× file, and its size.
struct Thumbnail: Sendable, Hashable {
    let url: String
    let url2x: String
    let size: ThumbnailSize

    var srcset: String { "\(url) 1x, \(url2x) 2x" }

    func context() -> [String: Any] {
        ["url": url, "srcset": srcset, "width": size.width, "height": size.height]
    }

    /// The theme's placeholder, at the size the thumbnail would have had.
    static func placeholder(_ url: String, _ size: ThumbnailSize) -> Thumbnail {
        Thumbnail(url: url, url2x: url, size: size)
    }
}

/// A product image as its page shows it: versions 800 and 1,600 pixels wide (never wider than the
/// original, which is the largest candidate), and the same in WebP when libvips can write it, for
/// `srcset` and `<picture>`.
struct DisplayImage: Sendable, Hashable {
    /// The version a browser without `srcset` loads: 800 pixels wide, or the original if narrower.
    let src: String
    let srcset: String
    /// Empty without WebP support.
    let webpSrcset: String
    let width: Int
    let height: Int

    /// The widths made below the original's, which itself is the largest candidate.
    static let widths = [800, 1600]

    func context() -> [String: Any] {
        ["src": src, "srcset": srcset, "webp_srcset": webpSrcset.isEmpty ? false : webpSrcset, "width": width, "height": height]
    }
}

/// Makes thumbnails of content images with libvips, into a folder that outlives the build (the
/// build cache), under names made from the image's bytes: an image that did not change is never
/// decoded again, and a changed one gets new URLs, so browsers and CDNs can cache them forever.
struct Thumbnails: Sendable {
    /// An image's content hash, remembered with the file's stamp so unchanged images are not read.
    struct HashRecord: Sendable {
        let stamp: FileStamp
        let hash: String
        /// The original's pixel size, read from its header once.
        var width = 0
        var height = 0
    }

    /// Thumbnails of one source image, by size.
    typealias Set = [ThumbnailSize: Thumbnail]

    struct Result: Sendable {
        /// By content path (`images/tea.png`); images that could not be read are missing.
        var thumbnails: [String: Set] = [:]
        /// Product images' display versions, by content path.
        var displays: [String: DisplayImage] = [:]
        /// Output path → the made file in the thumbnail folder.
        var files: [String: URL] = [:]
        var hashes: [String: HashRecord] = [:]
        var warnings: [ContentIssue] = []
    }

    static let outputFolder = "thumbs"

    let contentDirectory: URL
    let contentDisplayName: String
    /// Where made thumbnails are kept between builds.
    let folder: URL

    /// Thumbnails of every image in `paths`, and display versions of those in `displayed`, made
    /// where missing, on all cores.
    func prepare(_ paths: [String], displayed: Swift.Set<String> = [], previousHashes: [String: HashRecord]) -> Result {
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let outcomes = ParallelMap.map(Array(Swift.Set(paths)).sorted()) { path in
            (path, make(path, display: displayed.contains(path), previous: previousHashes[path]))
        }
        var result = Result()
        for (path, outcome) in outcomes {
            switch outcome {
            case .success(let made):
                result.hashes[path] = made.record
                result.thumbnails[path] = made.thumbnails
                result.displays[path] = made.display
                result.files.merge(made.files) { first, _ in first }
            case .failure(let problem):
                result.warnings.append(ContentIssue(
                    file: contentDisplayName.isEmpty ? path : contentDisplayName + "/" + path, line: 1, key: "image",
                    message: "cannot make a thumbnail (\(problem.reason)); pages show the full image instead"))
            }
        }
        return result
    }

    private struct Made: Sendable {
        let record: HashRecord
        let thumbnails: Set
        let display: DisplayImage?
        let files: [String: URL]
    }

    private struct Problem: Error {
        let reason: String
    }

    private func make(_ path: String, display: Bool, previous: HashRecord?) -> Swift.Result<Made, Problem> {
        let source = contentDirectory.appendingPathComponent(path)
        let stamp = FileStamp.of(source.path)
        var record: HashRecord
        if let previous, previous.stamp == stamp, previous.width > 0 {
            record = previous
        } else {
            guard let data = try? Data(contentsOf: source) else { return .failure(Problem(reason: "the file cannot be read")) }
            record = HashRecord(stamp: stamp, hash: String(Fingerprint.of(data).description.prefix(12)))
            guard Self.vips else { return .failure(Self.vipsProblem()) }
            var width: Int32 = 0
            var height: Int32 = 0
            let problem: Problem? = Self.vipsLock.withLock {
                agora_vips_size(source.path, &width, &height) == 0 ? nil : Self.vipsProblem()
            }
            if let problem { return .failure(problem) }
            guard width > 0, height > 0 else { return .failure(Problem(reason: "the image has no pixels")) }
            record.width = Int(width)
            record.height = Int(height)
        }
        let hash = record.hash
        let name = (path as NSString).lastPathComponent
        let stem = (name as NSString).deletingPathExtension
        let sourceExtension = (name as NSString).pathExtension.lowercased()
        let fileExtension = ["jpg", "jpeg", "png", "webp"].contains(sourceExtension) ? sourceExtension : "png"
        var thumbnails: Set = [:]
        var files: [String: URL] = [:]
        for size in ThumbnailSize.all {
            var urls: [String] = []
            for scale in [1, 2] {
                let fileName = "\(stem)-\(hash)-\(size.width * scale)x\(size.height * scale).\(fileExtension)"
                let made = folder.appendingPathComponent(fileName)
                if !FileManager.default.fileExists(atPath: made.path) {
                    if let problem = Self.thumbnail(source, to: made, width: size.width * scale, height: size.height * scale) {
                        return .failure(problem)
                    }
                }
                files["\(Self.outputFolder)/\(fileName)"] = made
                urls.append("/\(Self.outputFolder)/\(fileName)")
            }
            thumbnails[size] = Thumbnail(url: urls[0], url2x: urls[1], size: size)
        }
        var displayImage: DisplayImage?
        if display {
            switch makeDisplay(path, source: source, record: record, stem: stem, fileExtension: fileExtension) {
            case .success(let made):
                displayImage = made.image
                files.merge(made.files) { first, _ in first }
            case .failure(let problem):
                return .failure(problem)
            }
        }
        return .success(Made(record: record, thumbnails: thumbnails, display: displayImage, files: files))
    }

    /// The 800 and 1,600 pixel versions narrower than the original, and WebP copies of those and
    /// of the original's width.
    private func makeDisplay(_ path: String, source: URL, record: HashRecord, stem: String,
                             fileExtension: String) -> Swift.Result<(image: DisplayImage, files: [String: URL]), Problem> {
        var files: [String: URL] = [:]
        func version(_ width: Int, _ format: String) -> Swift.Result<String, Problem> {
            let fileName = "\(stem)-\(record.hash)-w\(width).\(format)"
            let made = folder.appendingPathComponent(fileName)
            if !FileManager.default.fileExists(atPath: made.path), let problem = Self.resize(source, to: made, width: width) {
                return .failure(problem)
            }
            files["\(Self.outputFolder)/\(fileName)"] = made
            return .success("/\(Self.outputFolder)/\(fileName)")
        }
        let original = SitePaths.file(path)
        let smaller = DisplayImage.widths.filter { $0 < record.width }
        var candidates: [(url: String, width: Int)] = []
        for width in smaller {
            switch version(width, fileExtension) {
            case .success(let url): candidates.append((url, width))
            case .failure(let problem): return .failure(problem)
            }
        }
        candidates.append((original, record.width))
        var webp: [(url: String, width: Int)] = []
        if Self.canSaveWebP, fileExtension != "webp" {
            for width in smaller + [record.width] {
                switch version(width, "webp") {
                case .success(let url): webp.append((url, width))
                case .failure(let problem): return .failure(problem)
                }
            }
        }
        let shown = candidates[0]
        let image = DisplayImage(
            src: shown.url, srcset: candidates.map { "\($0.url) \($0.width)w" }.joined(separator: ", "),
            webpSrcset: webp.map { "\($0.url) \($0.width)w" }.joined(separator: ", "),
            width: shown.width, height: Int((Double(record.height) * Double(shown.width) / Double(record.width)).rounded()))
        return .success((image, files))
    }

    /// libvips, once per process; each build spreads images over the cores itself.
    static let vips: Bool = agora_vips_start() == 0

    private static let errorLock = NSLock()

    /// One libvips operation at a time in this process. Builds running side by side (the test
    /// suites run many) corrupted the heap now and then inside libvips and its savers when images
    /// were written from several threads at once; images are made once and cached, so a cold
    /// build's images take a little longer and nothing else does.
    private static let vipsLock = NSLock()

    private static let canSaveWebP: Bool = vips && agora_vips_can_save_webp() != 0

    /// The first line of libvips's error buffer, cleared.
    private static func vipsProblem() -> Problem {
        errorLock.withLock {
            let message = String(cString: agora_vips_error()).split(separator: "\n").first.map(String.init) ?? "unknown error"
            agora_vips_error_clear()
            return Problem(reason: message.isEmpty ? "not an image libvips can read" : message)
        }
    }

    /// Writes `source` shrunk to at most `width` pixels wide to `target`, through a temporary name; nil on success.
    private static func resize(_ source: URL, to target: URL, width: Int) -> Problem? {
        guard vips else { return vipsProblem() }
        let temporary = target.deletingLastPathComponent()
            .appendingPathComponent(".tmp-\(UUID().uuidString)-" + target.lastPathComponent)
        let problem: Problem? = vipsLock.withLock {
            agora_vips_resize(source.path, temporary.path, Int32(width)) == 0 ? nil : vipsProblem()
        }
        if let problem {
            try? FileManager.default.removeItem(at: temporary)
            return problem
        }
        guard rename(temporary.path, target.path) == 0 else { return Problem(reason: "cannot be saved") }
        return nil
    }

    /// Writes a width×height centre crop of `source` to `target` (through a temporary name, so a
    /// crash never leaves half a file under the final name); nil on success.
    private static func thumbnail(_ source: URL, to target: URL, width: Int, height: Int) -> Problem? {
        guard vips else { return vipsProblem() }
        let temporary = target.deletingLastPathComponent()
            .appendingPathComponent(".tmp-\(UUID().uuidString)-" + target.lastPathComponent)
        let problem: Problem? = vipsLock.withLock {
            agora_vips_thumbnail(source.path, temporary.path, Int32(width), Int32(height)) == 0 ? nil : vipsProblem()
        }
        if let problem {
            try? FileManager.default.removeItem(at: temporary)
            return problem
        }
        guard rename(temporary.path, target.path) == 0 else { return Problem(reason: "cannot be saved") }
        return nil
    }
}
