#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Lists a folder tree with `readdir`, which reports file types without a `stat` per entry —
/// several times faster than `FileManager` enumeration on output folders of tens of thousands
/// of files. Hidden entries (names starting with `.`) are skipped.
public enum DirectoryWalk {
    public struct Listing: Sendable {
        /// Regular files, relative to the root, `/`-separated.
        public var files: [String] = []
        /// Folders, relative to the root, parents before children.
        public var folders: [String] = []
    }

    public static func list(_ root: String) -> Listing {
        var listing = Listing()
        walk(root, relative: "", into: &listing, statting: nil)
        return listing
    }

    /// Every regular file under `root`, relative and `/`-separated, with what `stat` says of it.
    /// Each file is looked up by its name in its already open folder (`fstatat`), not by a path
    /// the kernel walks from the root again: that walk was most of a "nothing changed" build.
    public static func statFiles(_ root: String) -> [(relative: String, info: stat)] {
        var listing = Listing()
        var stats: [(relative: String, info: stat)] = []
        walk(root, relative: "", into: &listing) { relative, info in stats.append((relative, info)) }
        return stats
    }

    private static func walk(_ path: String, relative: String, into listing: inout Listing,
                             statting visit: ((String, stat) -> Void)?) {
        guard let directory = opendir(path) else { return }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard !name.hasPrefix(".") else { continue }
            let childPath = path + "/" + name
            let childRelative = relative.isEmpty ? name : relative + "/" + name
            var type = entry.pointee.d_type
            if type == UInt8(DT_UNKNOWN) {
                var info = stat()
                guard lstat(childPath, &info) == 0 else { continue }
                type = (info.st_mode & S_IFMT) == S_IFDIR ? UInt8(DT_DIR) : ((info.st_mode & S_IFMT) == S_IFREG ? UInt8(DT_REG) : 0)
            }
            if type == UInt8(DT_DIR) {
                listing.folders.append(childRelative)
                walk(childPath, relative: childRelative, into: &listing, statting: visit)
            } else if type == UInt8(DT_REG) {
                if let visit {
                    var info = stat()
                    if fstatat(dirfd(directory), name, &info, 0) == 0 { visit(childRelative, info) }
                } else {
                    listing.files.append(childRelative)
                }
            }
        }
    }
}
