import AgoraStore
import Foundation
import HTTPTypes
import Hummingbird

/// Serves the built site from the output folder (SPEC §5): `index.html` for folders, ETag and
/// Last-Modified with conditional GET, Cache-Control, precompressed `.br`/`.gz` copies (or gzip
/// made on the fly, once per file, when the build has none), the build's 404 page — and nothing outside the folder, whatever the path says (`..`, `%2e%2e`,
/// encoded slashes, symlinks that lead out).
struct StaticFiles: RouterMiddleware {
    typealias Context = ShopContext

    /// Paths the server answers itself.
    static let dynamicPrefixes = ["/cart/", "/orders/", "/account/", "/admin/", "/api/", "/ranking/", "/_agora/"]
    static let dynamicPaths: Set<String> = ["/healthz", "/metrics", "/cart", "/orders", "/account", "/admin", "/ranking"]

    let root: URL
    /// The real path of the root, symlinks resolved, for containment checks.
    let realRoot: String
    /// Under `agora serve --watch`: a script added to every HTML page, which reloads it after a rebuild.
    let liveReloadScript: String?
    /// gzip made on the fly for files without a precompressed copy.
    let compressed: CompressedFiles

    init(root: URL, liveReloadScript: String? = nil, compressed: CompressedFiles = CompressedFiles()) {
        self.root = root
        self.compressed = compressed
        realRoot = root.resolvingSymlinksInPath().standardizedFileURL.path
        self.liveReloadScript = liveReloadScript
    }

    func handle(_ request: Request, context: ShopContext, next: (Request, ShopContext) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard request.method == .get || request.method == .head,
              !Self.dynamicPaths.contains(path), !Self.dynamicPrefixes.contains(where: path.hasPrefix),
              !(path.hasPrefix("/people/") && path.hasSuffix("/activity.atom")) else {
            return try await next(request, context)
        }
        return try await serve(request)
    }

    func serve(_ request: Request) async throws -> Response {
        guard let relative = Self.safeRelativePath(request.uri.path) else { return await notFound(request) }
        var target = relative.isEmpty ? "index.html" : relative
        var info = stat()
        let absolute = root.path + "/" + target
        guard stat(absolute, &info) == 0 else { return await notFound(request) }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            guard request.uri.path.hasSuffix("/") else {
                // `/about` → `/about/`, keeping the query. Built from the checked segments, so
                // `//about` cannot become `//about/`, which a browser reads as another host.
                var location = "/" + relative + "/"
                if let query = request.uri.query { location += "?" + query }
                var headers = HTTPFields()
                headers[.location] = location
                return Response(status: .movedPermanently, headers: headers)
            }
            target = relative.isEmpty ? "index.html" : relative + "/index.html"
        }
        guard let file = contained(target) else { return await notFound(request) }
        return await respond(file: file, logicalPath: target, request: request)
    }

    // MARK: path safety

    /// The decoded path without its leading slash, or nil when it could name something outside
    /// the folder or hidden inside it: `..` or `.` segments (also percent-encoded), encoded
    /// slashes or backslashes, NUL, and dotfiles (`.agora-staging`, `.gitkeep`).
    static func safeRelativePath(_ rawPath: String) -> String? {
        let lowered = rawPath.lowercased()
        guard !lowered.contains("%2f"), !lowered.contains("%5c"), !lowered.contains("%00"),
              let decoded = rawPath.removingPercentEncoding, !decoded.contains("\\"), !decoded.contains("\0") else { return nil }
        let segments = decoded.split(separator: "/", omittingEmptySubsequences: true)
        guard !segments.contains(where: { $0.hasPrefix(".") }) else { return nil }
        return segments.joined(separator: "/")
    }

    /// The real path of `relative` if it resolves (through any symlinks) to a regular file
    /// inside the root.
    private func contained(_ relative: String) -> String? {
        guard let resolved = realpath(root.path + "/" + relative, nil) else { return nil }
        defer { free(resolved) }
        let real = String(cString: resolved)
        guard real.hasPrefix(realRoot + "/") else { return nil }
        var info = stat()
        guard stat(real, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return real
    }

    // MARK: responses

    private func respond(file: String, logicalPath: String, request: Request, status: HTTPResponse.Status = .ok) async -> Response {
        let type = MediaTypes.contentType(forPath: logicalPath)
        var served = file
        var headers = HTTPFields()
        headers[.contentType] = type
        let injectScript = liveReloadScript != nil && logicalPath.hasSuffix(".html")
        var gzipOnTheFly = false
        if MediaTypes.isCompressible(logicalPath), !injectScript {
            headers[.vary] = "Accept-Encoding"
            let accepted = Self.acceptedEncodings(request.headers[.acceptEncoding])
            for (encoding, suffix) in [("br", ".br"), ("gzip", ".gz")] where accepted.contains(encoding) {
                if let compressed = contained(logicalPath + suffix) {
                    served = compressed
                    headers[.contentEncoding] = encoding
                    break
                }
            }
            gzipOnTheFly = headers[.contentEncoding] == nil && accepted.contains("gzip")
        }
        var info = stat()
        guard stat(served, &info) == 0 else { return Response(status: .notFound) }
        let stamp = CompressedFiles.Stamp(size: Int64(info.st_size), seconds: info.st_mtim.tv_sec, nanoseconds: info.st_mtim.tv_nsec)
        var data: Data
        if gzipOnTheFly, let gzip = compressed.cached(served, stamp: stamp) {
            data = gzip
            headers[.contentEncoding] = "gzip"
        } else {
            guard let contents = FileManager.default.contents(atPath: served) else { return Response(status: .notFound) }
            data = contents
            // Compressing (once per file version) is CPU work of its own: done off the request threads.
            if gzipOnTheFly, data.count >= CompressedFiles.minimumSize {
                let (original, path, cache) = (data, served, compressed)
                if let gzip = try? await BlockingWork.run({ cache.compress(path, stamp: stamp, data: original) }) ?? nil {
                    data = gzip
                    headers[.contentEncoding] = "gzip"
                }
            }
        }
        if injectScript, let liveReloadScript { data = Self.inject(script: liveReloadScript, into: data) }
        let modified = Date(timeIntervalSince1970: TimeInterval(info.st_mtim.tv_sec))
        let etag = "\"\(String(info.st_size, radix: 16))-\(String(info.st_mtim.tv_sec, radix: 16))\(String(info.st_mtim.tv_nsec, radix: 16))"
            + "\(headers[.contentEncoding].map { "-" + $0 } ?? "")\(injectScript ? "-live" : "")\""
        headers[.eTag] = etag
        headers[.lastModified] = HTTPDate.format(modified)
        headers[.cacheControl] = Self.cacheControl(logicalPath)
        if status == .ok, Self.isNotModified(request, etag: etag, modified: modified) {
            headers[.contentType] = nil
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentLength] = String(data.count)
        let body: ResponseBody = request.method == .head ? .init() : .init(byteBuffer: ByteBuffer(bytes: data))
        return Response(status: status, headers: headers, body: body)
    }

    /// The page with `<script src=…>` before `</body>` (at the end when there is none).
    static func inject(script: String, into page: Data) -> Data {
        let tag = Data("<script src=\"\(script)\" defer></script>\n".utf8)
        var page = page
        if let close = page.range(of: Data("</body>".utf8), options: .backwards) {
            page.insert(contentsOf: tag, at: close.lowerBound)
        } else {
            page.append(tag)
        }
        return page
    }

    private func notFound(_ request: Request) async -> Response {
        if let page = contained("404.html") {
            var response = await respond(file: page, logicalPath: "404.html", request: request, status: .notFound)
            response.headers[.cacheControl] = "no-cache"
            return response
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: .notFound, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "Not found\n")))
    }

    /// Hashed assets and thumbnails never change; pages must be revalidated; the rest may be cached briefly.
    static func cacheControl(_ path: String) -> String {
        if path.hasPrefix("assets/") || path.hasPrefix("thumbs/") { return "public, max-age=31536000, immutable" }
        if path.hasSuffix(".html") || path.hasSuffix(".json") || path.hasSuffix(".xml") { return "public, no-cache" }
        return "public, max-age=3600"
    }

    static func isNotModified(_ request: Request, etag: String, modified: Date) -> Bool {
        if let match = request.headers[.ifNoneMatch] {
            return match == "*" || match.split(separator: ",").contains {
                let tag = $0.trimmingCharacters(in: .whitespaces)
                return tag == etag || tag == "W/" + etag
            }
        }
        // A date that does not parse, or lies in the future, is ignored (RFC 9110 §13.1.3).
        if let since = request.headers[.ifModifiedSince], let date = HTTPDate.parse(since), date <= Date() {
            return modified.timeIntervalSince1970.rounded(.down) <= date.timeIntervalSince1970
        }
        return false
    }

    /// Encodings the client accepts (`q=0` excluded).
    static func acceptedEncodings(_ header: String?) -> Set<String> {
        guard let header else { return [] }
        var result: Set<String> = []
        for part in header.split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let name = pieces.first else { continue }
            if pieces.dropFirst().contains(where: { $0 == "q=0" || $0 == "q=0.0" || $0 == "q=0.00" || $0 == "q=0.000" }) { continue }
            result.insert(name)
        }
        return result
    }
}

/// RFC 9110 dates for Last-Modified and If-Modified-Since, through the C library: thread-safe
/// and far cheaper per request than a `DateFormatter`.
enum HTTPDate {
    static func format(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%a, %d %b %Y %H:%M:%S GMT", &parts)
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `Sun, 06 Nov 1994 08:49:37 GMT` (the only form senders may generate), or nil when the
    /// text is not that form or names no real moment: every field is range-checked before any
    /// arithmetic, since the header comes from anyone (SPEC §6.11).
    static func parse(_ text: String) -> Date? {
        let fields = text.split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count == 6, fields[5] == "GMT", fields[1].utf8.count == 2, fields[3].utf8.count == 4,
              let day = Int(fields[1]), let month = months.firstIndex(of: String(fields[2])), let year = Int(fields[3]),
              (1...31).contains(day), (1970...9999).contains(year) else { return nil }
        let clock = fields[4].split(separator: ":", omittingEmptySubsequences: false)
        guard clock.count == 3, clock.allSatisfy({ $0.utf8.count == 2 }),
              let hour = Int(clock[0]), let minute = Int(clock[1]), let second = Int(clock[2]),
              (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second) else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let seconds = timegm(&parts)
        // timegm normalises 31 Feb to 3 Mar; a date that moved did not exist.
        guard seconds != -1, parts.tm_mday == Int32(day), parts.tm_mon == Int32(month) else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// `2026-11-25T11:15:42Z`, for log lines.
    static func iso8601(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        let count = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%SZ", &parts)
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Content types by file extension.
enum MediaTypes {
    static let types: [String: String] = [
        "html": "text/html; charset=utf-8", "css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8",
        "json": "application/json; charset=utf-8", "xml": "application/xml; charset=utf-8", "txt": "text/plain; charset=utf-8",
        "yaml": "application/yaml; charset=utf-8", "yml": "application/yaml; charset=utf-8", "md": "text/plain; charset=utf-8",
        "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp",
        "avif": "image/avif", "svg": "image/svg+xml", "ico": "image/x-icon", "pdf": "application/pdf",
        "woff": "font/woff", "woff2": "font/woff2", "mp4": "video/mp4", "webm": "video/webm",
    ]
    static let compressible: Set<String> = ["html", "css", "js", "json", "xml", "txt", "svg", "yaml", "yml", "md"]

    static func fileExtension(_ path: String) -> String {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return "" }
        return path[path.index(after: dot)...].lowercased()
    }

    static func contentType(forPath path: String) -> String {
        if path == "feed.xml" { return "application/atom+xml; charset=utf-8" }
        return types[fileExtension(path)] ?? "application/octet-stream"
    }

    static func isCompressible(_ path: String) -> Bool { compressible.contains(fileExtension(path)) }
}
