import AgoraCompression
import CBrotli
import Foundation

/// Brotli (libbrotli, Google's reference encoder, packaged by Debian) for the precompressed
/// copies of the site's larger text files. Deterministic: the same input gives the same bytes.
enum Brotli {
    /// Quality 6 compresses about as fast as gzip's default and 10–20 % smaller; quality 11 is
    /// smaller still but takes seconds for `search.json`, which changes with every product edit.
    static let quality: Int32 = 6

    /// Paths that get a `.br` copy: compressible files except HTML pages. Pages are many and
    /// small, and a third file per page would make a large site's build create 50 % more files
    /// (file creation is most of a cold build's time) for a few hundred bytes each; the theme's
    /// CSS and JS, `search.json`, the manifests, the feed and the sitemap are few and large.
    static func wants(_ path: String) -> Bool {
        Gzip.isCompressible(path) && !path.hasSuffix(".html")
    }

    /// The smallest window that holds the whole input: the encoder's memory grows with the window,
    /// and a larger one than the input compresses no better.
    static func window(for size: Int) -> Int32 {
        let bits = Int32(Int.bitWidth - max(size, 1).leadingZeroBitCount)
        return min(max(bits, Int32(BROTLI_MIN_WINDOW_BITS)), Int32(BROTLI_DEFAULT_WINDOW))
    }

    static func compress(_ data: Data) -> Data? {
        var size = BrotliEncoderMaxCompressedSize(data.count)
        guard size > 0 else { return nil }
        var output = Data(count: size)
        let ok = data.withUnsafeBytes { (input: UnsafeRawBufferPointer) -> Int32 in
            output.withUnsafeMutableBytes { (out: UnsafeMutableRawBufferPointer) -> Int32 in
                guard let inputBase = input.bindMemory(to: UInt8.self).baseAddress ?? UnsafePointer(bitPattern: 1),
                      let outputBase = out.bindMemory(to: UInt8.self).baseAddress else { return 0 }
                return BrotliEncoderCompress(quality, window(for: input.count), BROTLI_MODE_TEXT, input.count, inputBase, &size,
                                             outputBase)
            }
        }
        guard ok != 0 else { return nil }
        output.count = size
        return output
    }
}
