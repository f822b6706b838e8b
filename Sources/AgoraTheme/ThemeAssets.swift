import AgoraContent
import Foundation

/// The theme's `assets/` folder with content-hashed public names, so they can be cached forever:
/// `assets/style.css` is published as `/assets/style.1f3a9c0d2e.css`.
public struct ThemeAssets: Sendable {
    public struct Asset: Sendable, Hashable {
        /// Path inside `assets/`, e.g. `style.css`.
        public let source: String
        /// Root-relative URL, e.g. `/assets/style.1f3a9c0d2e.css`.
        public let url: String
        public let data: Data
    }

    public let all: [Asset]

    init(directory: URL) throws {
        var assets: [Asset] = []
        for relative in Theme.files(under: directory) {
            let data = try Data(contentsOf: directory.appendingPathComponent(relative))
            assets.append(Asset(source: relative, url: "/assets/" + Self.fingerprinted(relative, data), data: data))
        }
        all = assets
    }

    /// The public URL of an asset, or nil when the theme has no such file.
    public func url(for source: String) -> String? {
        all.first { $0.source == source }?.url
    }

    /// Template keys for every asset: `style.css` → `style_css`, `img/logo.svg` → `img_logo_svg`
    /// (Mustache reads dots as paths, so they cannot appear in a key).
    public var templateValues: [String: String] {
        var values: [String: String] = [:]
        for asset in all { values[Self.templateKey(asset.source)] = asset.url }
        return values
    }

    static func templateKey(_ source: String) -> String {
        String(source.map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }

    static func fingerprinted(_ path: String, _ data: Data) -> String {
        let hash = String(ContentHash.fnv1a64(data), radix: 16)
        let digest = String(repeating: "0", count: 16 - hash.count) + hash
        let short = digest.prefix(10)
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return "\(path).\(short)" }
        return "\(path[..<dot]).\(short)\(path[dot...])"
    }
}
