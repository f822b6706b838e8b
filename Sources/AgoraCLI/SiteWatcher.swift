import AgoraContent
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Watches folders (content and themes) and calls `onChange` once per burst of changes, after
/// the burst settles, on its own thread; changes during a call lead to exactly one more call.
///
/// Linux's inotify tells about changes as they happen; where it is unavailable (or its watch limit
/// is reached), the folders are polled: every file's size and modification time, once a second.
/// Hidden files and editors' backup files (`.x.swp`, `x~`) are ignored.
final class SiteWatcher: @unchecked Sendable {
    /// Quiet time after the last change before `onChange` runs: an editor's save is often
    /// several writes and renames.
    static let settleMilliseconds: Int32 = 150

    private let folders: [String]
    private let onChange: @Sendable () -> Void

    init(folders: [URL], onChange: @escaping @Sendable () -> Void) {
        self.folders = folders.map { $0.standardizedFileURL.path }
        self.onChange = onChange
    }

    func start() {
        let thread = Thread { [self] in
            #if os(Linux)
            if let notifier = Notifier(folders: folders) {
                notifier.run(onChange)
                return
            }
            #endif
            poll()
        }
        thread.name = "agora-watch"
        thread.start()
    }

    /// Polling: compares a signature of every file's path, size and modification time.
    private func poll() {
        var last = signature()
        while true {
            Thread.sleep(forTimeInterval: 1)
            let now = signature()
            if now != last {
                last = now
                onChange()
                last = signature()
            }
        }
    }

    private func signature() -> [String: FileStamp] {
        var stamps: [String: FileStamp] = [:]
        for folder in folders {
            for file in DirectoryWalk.list(folder).files where !Self.isIgnored(file) {
                stamps[folder + "/" + file] = FileStamp.of(folder + "/" + file)
            }
        }
        return stamps
    }

    static func isIgnored(_ name: String) -> Bool {
        let last = name.split(separator: "/").last.map(String.init) ?? name
        return last.hasPrefix(".") || last.hasSuffix("~") || last.hasSuffix(".swp")
    }
}

#if os(Linux)
/// inotify watches on every folder of the trees, added for new folders as they appear.
private final class Notifier {
    private static let mask = UInt32(IN_CREATE | IN_DELETE | IN_MODIFY | IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE
                                     | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF)
    private let descriptor: Int32
    private var folderOfWatch: [Int32: String] = [:]

    init?(folders: [String]) {
        descriptor = inotify_init1(Int32(IN_CLOEXEC))
        guard descriptor >= 0 else { return nil }
        for folder in folders {
            guard watchTree(folder) else {
                close(descriptor)
                return nil
            }
        }
    }

    /// Watches `folder` and every folder under it; false when the kernel refuses (watch limit).
    private func watchTree(_ folder: String) -> Bool {
        guard FileManager.default.fileExists(atPath: folder) else { return true }
        for path in [folder] + DirectoryWalk.list(folder).folders.map({ folder + "/" + $0 }) {
            let watch = inotify_add_watch(descriptor, path, Self.mask)
            guard watch >= 0 else { return false }
            folderOfWatch[watch] = path
        }
        return true
    }

    func run(_ onChange: @Sendable () -> Void) {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            guard waitForEvents(timeout: -1) else { continue }
            var changed = readEvents(&buffer)
            // Let the burst settle: keep reading until nothing arrives for a moment.
            while waitForEvents(timeout: SiteWatcher.settleMilliseconds) {
                changed = readEvents(&buffer) || changed
            }
            if changed { onChange() }
        }
    }

    private func waitForEvents(timeout: Int32) -> Bool {
        var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return Glibc.poll(&request, 1, timeout) > 0
    }

    /// Reads what is pending; true when something that matters changed.
    private func readEvents(_ buffer: inout [UInt8]) -> Bool {
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0 else { return false }
        var relevant = false
        var offset = 0
        let headerSize = MemoryLayout<inotify_event>.size
        while offset + headerSize <= count {
            let event = buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: inotify_event.self) }
            let nameBytes = buffer[(offset + headerSize)..<min(count, offset + headerSize + Int(event.len))]
            let name = String(decoding: nameBytes.prefix { $0 != 0 }, as: UTF8.self)
            offset += headerSize + Int(event.len)
            if event.mask & UInt32(IN_IGNORED) != 0 {
                folderOfWatch[event.wd] = nil
                continue
            }
            if event.mask & UInt32(IN_Q_OVERFLOW) != 0 { relevant = true; continue }
            if !name.isEmpty, SiteWatcher.isIgnored(name) { continue }
            relevant = true
            if event.mask & UInt32(IN_ISDIR) != 0, event.mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0,
               let parent = folderOfWatch[event.wd] {
                _ = watchTree(parent + "/" + name)
            }
        }
        return relevant
    }
}
#endif
