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
        walk(openFolder(AT_FDCWD, root), relative: "", into: &listing, statting: nil)
        return listing
    }

    /// Every regular file under `root`, relative and `/`-separated, with what `stat` says of it,
    /// in no particular order. Folders are opened by name in their open parent (`openat`) and
    /// files looked up by name in their open folder (`fstatat`), never by a path the kernel walks
    /// from the root again: those walks were most of a "nothing changed" build. The first two
    /// levels are listed on this thread; what lies below them (a product's output folder, a
    /// content file in a section) is stamped on all cores.
    public static func statFiles(_ root: String) -> [(relative: String, info: stat)] {
        var stats: [(relative: String, info: stat)] = []
        let rootFolder = openFolder(AT_FDCWD, root)
        guard rootFolder >= 0 else { return stats }
        defer { close(rootFolder) }
        var firstLevel = Listing()
        walk(dup(rootFolder), relative: "", into: &firstLevel, depth: 1) { relative, info in stats.append((relative, info)) }
        var below: [(relative: String, isFolder: Bool)] = []
        for folder in firstLevel.folders {
            var secondLevel = Listing()
            walk(openFolder(rootFolder, folder), relative: folder, into: &secondLevel, depth: 1, statting: nil)
            below += secondLevel.files.map { ($0, false) } + secondLevel.folders.map { ($0, true) }
        }
        // In runs of 64, not one by one: an array and a locked hand-over per file cost a
        // "nothing changed" build at 10,000 products about 5 % of its CPU.
        let runs = stride(from: 0, to: below.count, by: 64).map { below[$0..<min($0 + 64, below.count)] }
        let parts = ParallelMap.map(runs) { run -> [(relative: String, info: stat)] in
            var found: [(relative: String, info: stat)] = []
            found.reserveCapacity(run.count)
            for unit in run {
                if unit.isFolder {
                    var listing = Listing()
                    walk(openFolder(rootFolder, unit.relative), relative: unit.relative, into: &listing) { found.append(($0, $1)) }
                } else {
                    var info = stat()
                    if fstatat(rootFolder, unit.relative, &info, 0) == 0 { found.append((unit.relative, info)) }
                }
            }
            return found
        }
        stats.reserveCapacity(stats.count + parts.reduce(0) { $0 + $1.count })
        for part in parts { stats += part }
        return stats
    }

    /// The names of the regular files and of the folders directly inside the folder at `path`,
    /// relative to the open folder `parent`, hidden ones aside, each sorted; empty when it
    /// cannot be opened.
    public static func entries(_ parent: Int32, _ path: String) -> (files: [String], folders: [String]) {
        var listing = Listing()
        walk(openFolder(parent, path), relative: "", into: &listing, depth: 1, statting: nil)
        return (listing.files.sorted(), listing.folders.sorted())
    }

    private static func openFolder(_ parent: Int32, _ path: String) -> Int32 {
        openat(parent, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    }

    /// Lists the open folder `folder` (and closes it) and, below `depth` levels (unlimited by
    /// default), leaves folders listed but not entered; with `visit`, regular files are stamped
    /// instead of listed.
    private static func walk(_ folder: Int32, relative: String, into listing: inout Listing, depth: Int = .max,
                             statting visit: ((String, stat) -> Void)?) {
        guard folder >= 0 else { return }
        guard let directory = fdopendir(folder) else {
            close(folder)
            return
        }
        defer { closedir(directory) }
        let descriptor = dirfd(directory)
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard !name.hasPrefix(".") else { continue }
            let childRelative = relative.isEmpty ? name : relative + "/" + name
            var type = entry.pointee.d_type
            if type == UInt8(DT_UNKNOWN) {
                var info = stat()
                guard fstatat(descriptor, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
                type = (info.st_mode & S_IFMT) == S_IFDIR ? UInt8(DT_DIR) : ((info.st_mode & S_IFMT) == S_IFREG ? UInt8(DT_REG) : 0)
            }
            if type == UInt8(DT_DIR) {
                listing.folders.append(childRelative)
                if depth > 1 {
                    walk(openFolder(descriptor, name), relative: childRelative, into: &listing, depth: depth - 1, statting: visit)
                }
            } else if type == UInt8(DT_REG) {
                if let visit {
                    var info = stat()
                    if fstatat(descriptor, name, &info, 0) == 0 { visit(childRelative, info) }
                } else {
                    listing.files.append(childRelative)
                }
            }
        }
    }
}
