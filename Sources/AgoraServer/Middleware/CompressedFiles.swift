import AgoraCompression
import AgoraStore
import Foundation

/// gzip copies of the files `agora serve` sends, made on the fly for a build without
/// precompressed copies (the default) and kept, so each file is compressed once: an entry is
/// used while the file's size and modification time are the ones it was made from. The cache
/// holds at most `capacity` bytes of compressed data; the oldest entries go first.
final class CompressedFiles: Sendable {
    /// Smaller files gain nothing worth a `Content-Encoding`.
    static let minimumSize = 256

    struct Stamp: Equatable, Sendable {
        let size: Int64
        let seconds: Int
        let nanoseconds: Int
    }

    private struct Entry: Sendable {
        let stamp: Stamp
        let gzip: Data
    }

    private struct State: Sendable {
        var entries: [String: Entry] = [:]
        var order: [String] = []
        var bytes = 0
    }

    let capacity: Int
    private let state = Locked(State())

    init(capacity: Int = 64 << 20) {
        self.capacity = capacity
    }

    /// The cached gzip of `path` when it is still the file on disk.
    func cached(_ path: String, stamp: Stamp) -> Data? {
        state.withLock { state in
            guard let entry = state.entries[path], entry.stamp == stamp else { return nil }
            return entry.gzip
        }
    }

    /// Compresses `data` (the file at `path`, as `stamp` says) and keeps the result.
    func compress(_ path: String, stamp: Stamp, data: Data) -> Data? {
        guard let gzip = Gzip.compress(data), gzip.count < data.count else { return nil }
        state.withLock { state in
            if let old = state.entries.removeValue(forKey: path) {
                state.bytes -= old.gzip.count
                state.order.removeAll { $0 == path }
            }
            guard gzip.count <= capacity else { return }
            while state.bytes + gzip.count > capacity, !state.order.isEmpty {
                let oldest = state.order.removeFirst()
                state.bytes -= state.entries.removeValue(forKey: oldest)?.gzip.count ?? 0
            }
            state.entries[path] = Entry(stamp: stamp, gzip: gzip)
            state.order.append(path)
            state.bytes += gzip.count
        }
        return gzip
    }

    var count: Int { state.withLock { $0.entries.count } }
}
