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

/// Makes thumbnails of content images with libvips, into a folder that outlives the build (the
/// build cache), under names made from the image's bytes: an image that did not change is never
/// decoded again, and a changed one gets new URLs, so browsers and CDNs can cache them forever.
struct Thumbnails: Sendable {
    /// An image's content hash, remembered with the file's stamp so unchanged images are not read.
    struct HashRecord: Sendable {
        let stamp: FileStamp
        let hash: String
    }

    /// Thumbnails of one source image, by size.
    typealias Set = [ThumbnailSize: Thumbnail]

    struct Result: Sendable {
        /// By content path (`images/tea.png`); images that could not be read are missing.
        var thumbnails: [String: Set] = [:]
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

    /// Thumbnails of every image in `paths`, made where missing, on all cores.
    func prepare(_ paths: [String], previousHashes: [String: HashRecord]) -> Result {
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let outcomes = ParallelMap.map(Array(Swift.Set(paths)).sorted()) { path in (path, make(path, previous: previousHashes[path])) }
        var result = Result()
        for (path, outcome) in outcomes {
            switch outcome {
            case .success(let made):
                result.hashes[path] = made.record
                result.thumbnails[path] = made.thumbnails
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
        let files: [String: URL]
    }

    private struct Problem: Error {
        let reason: String
    }

    private func make(_ path: String, previous: HashRecord?) -> Swift.Result<Made, Problem> {
        let source = contentDirectory.appendingPathComponent(path)
        let stamp = FileStamp.of(source.path)
        let hash: String
        if let previous, previous.stamp == stamp {
            hash = previous.hash
        } else {
            guard let data = try? Data(contentsOf: source) else { return .failure(Problem(reason: "the file cannot be read")) }
            hash = String(Fingerprint.of(data).description.prefix(12))
        }
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
        return .success(Made(record: HashRecord(stamp: stamp, hash: hash), thumbnails: thumbnails, files: files))
    }

    /// libvips, once per process; each build spreads images over the cores itself.
    private static let vips: Bool = {
        guard vips_init("agora") == 0 else { return false }
        vips_concurrency_set(1)
        vips_cache_set_max(0)
        return true
    }()

    private static let errorLock = NSLock()

    /// Writes a width×height centre crop of `source` to `target` (through a temporary name, so a
    /// crash never leaves half a file under the final name); nil on success.
    private static func thumbnail(_ source: URL, to target: URL, width: Int, height: Int) -> Problem? {
        guard vips else { return Problem(reason: "libvips could not start") }
        let temporary = target.deletingLastPathComponent()
            .appendingPathComponent(".tmp-\(UUID().uuidString)-" + target.lastPathComponent)
        let status = agora_vips_thumbnail(source.path, temporary.path, Int32(width), Int32(height))
        guard status == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            return errorLock.withLock {
                let message = String(cString: vips_error_buffer()).split(separator: "\n").first.map(String.init) ?? "unknown error"
                vips_error_clear()
                return Problem(reason: message.isEmpty ? "not an image libvips can read" : message)
            }
        }
        guard rename(temporary.path, target.path) == 0 else { return Problem(reason: "cannot be saved") }
        return nil
    }
}
