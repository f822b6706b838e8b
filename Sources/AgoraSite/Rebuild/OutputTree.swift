import AgoraContent
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What the output folder held after the last build, folder by folder: the "nothing changed"
/// check of the output without listing every folder again.
///
/// A folder's modification and change times move whenever an entry is added to it, removed or
/// renamed, so a folder whose times are as they were holds the same names as before; only its
/// files' sizes need a look. Listing each of a 10,000-product site's 12,900 output folders (open,
/// read its entries, close) was most of a "nothing changed" build; a `stat` of each folder and of
/// each file by its path is half the system calls and no descriptors.
///
/// Folder times come from a coarse clock, like files' (`FileStamp.settled`): a folder changed
/// within a second of the build's look could change again with the same times. Such a folder is
/// kept without a stamp and is listed, entry by entry, by the next check. After a build that
/// rewrote one product page, that is the product's folder and the output folder itself.
struct OutputTree: Equatable, Sendable {
    struct File: Equatable, Sendable {
        let name: String
        let size: Int64
    }

    struct Folder: Equatable, Sendable {
        /// Relative to the output folder, `/`-separated; empty for the output folder itself.
        let path: String
        /// What `stat` said of the folder, when its times had settled; nil when it must be listed.
        let stamp: FileStamp?
        let files: [File]
        /// The names of the folders directly inside it.
        let folders: [String]
    }

    var folders: [Folder] = []

    /// The tree of `files` (relative path → size, what the commit's walk found) in `output`, its
    /// folders stamped as they are now (`taken`, nanoseconds since 1970: now).
    static func of(_ files: [String: Int], in output: URL, taken: Int64) -> OutputTree {
        var filesByFolder: [String: [File]] = [:]
        var folderPaths: Set<String> = [""]
        for (path, size) in files {
            let (parent, name) = split(path)
            filesByFolder[parent, default: []].append(File(name: name, size: Int64(size)))
            var folder = parent
            while folderPaths.insert(folder).inserted { folder = split(folder).parent }  // its ancestors, once
        }
        var subfolders: [String: [String]] = [:]
        for folder in folderPaths where !folder.isEmpty {
            let (parent, name) = split(folder)
            subfolders[parent, default: []].append(name)
        }
        // Looked up from the open output folder: a short path for the kernel to walk.
        let root = open(output.standardizedFileURL.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        defer { if root >= 0 { close(root) } }
        let paths = folderPaths.sorted()
        let (filesIn, foldersIn) = (filesByFolder, subfolders)
        let folders = ParallelMap.map(paths) { path -> Folder in
            var info = stat()
            let stamp = root >= 0 && fstatat(root, path.isEmpty ? "." : path, &info, AT_SYMLINK_NOFOLLOW) == 0 ? FileStamp(info) : nil
            return Folder(path: path, stamp: stamp.flatMap { $0.settled(before: taken) ? $0 : nil },
                          files: (filesIn[path] ?? []).sorted { $0.name < $1.name },
                          folders: (foldersIn[path] ?? []).sorted())
        }
        return OutputTree(folders: folders)
    }

    /// The tree after the files at `changed` (relative paths, all already in the tree) were
    /// replaced: their sizes as they are now, their folders to be listed by the next check
    /// unless their times have settled by `taken`. The output folder itself is always stamped
    /// again, as the writer stages its files in it. Nil when a file is not in the tree.
    func replacing(_ changed: [String], in output: URL, taken: Int64) -> OutputTree? {
        let root = output.standardizedFileURL.path
        var byFolder: [String: [String: Int64]] = ["": [:]]
        for path in changed {
            var info = stat()
            guard stat(root + "/" + path, &info) == 0 else { return nil }
            let (parent, name) = Self.split(path)
            byFolder[parent, default: [:]][name] = Int64(info.st_size)
        }
        var tree = self
        for (index, folder) in folders.enumerated() {
            guard let sizes = byFolder.removeValue(forKey: folder.path) else { continue }
            let names = Set(folder.files.map(\.name))
            guard sizes.keys.allSatisfy(names.contains) else { return nil }
            var info = stat()
            let stamp = stat(folder.path.isEmpty ? root : root + "/" + folder.path, &info) == 0 ? FileStamp(info) : nil
            tree.folders[index] = Folder(path: folder.path, stamp: stamp.flatMap { $0.settled(before: taken) ? $0 : nil },
                                         files: folder.files.map { File(name: $0.name, size: sizes[$0.name] ?? $0.size) },
                                         folders: folder.folders)
        }
        return byFolder.isEmpty ? tree : nil
    }

    var fileCount: Int { folders.reduce(0) { $0 + $1.files.count } }

    /// Every file, relative path → size.
    var files: [String: Int] {
        var files: [String: Int] = [:]
        for folder in folders {
            for file in folder.files { files[folder.path.isEmpty ? file.name : folder.path + "/" + file.name] = Int(file.size) }
        }
        return files
    }

    /// The tree, when `output` still holds exactly these files (hidden ones aside) with these
    /// sizes; nil otherwise. A folder that had to be listed comes back stamped when its times have
    /// settled by `taken` (nanoseconds since 1970: now), so the next check need not list it: its
    /// `stat` is taken before the listing, and any later change moves its times past that stamp.
    func checked(_ output: URL, taken: Int64) -> OutputTree? {
        let root = open(output.standardizedFileURL.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard root >= 0 else { return nil }
        defer { close(root) }
        let chunks = stride(from: 0, to: folders.count, by: 256).map { $0..<min($0 + 256, folders.count) }
        let checked = ParallelMap.map(chunks) { chunk -> [Folder]? in
            var checked: [Folder] = []
            checked.reserveCapacity(chunk.count)
            for index in chunk {
                guard let folder = Self.checked(folders[index], in: root, taken: taken) else { return nil }
                checked.append(folder)
            }
            return checked
        }
        guard let parts = checked as [[Folder]?] as? [[Folder]] else { return nil }
        return OutputTree(folders: parts.flatMap { $0 })
    }

    /// Whether the check found folders to stamp that the tree had to list.
    func stampsMore(than earlier: OutputTree) -> Bool {
        folders.count == earlier.folders.count && zip(folders, earlier.folders).contains { $0.stamp != nil && $1.stamp == nil }
    }

    private static func checked(_ folder: Folder, in root: Int32, taken: Int64) -> Folder? {
        let prefix = folder.path.isEmpty ? "" : folder.path + "/"
        let path = folder.path.isEmpty ? "." : folder.path
        var info = stat()
        let found = fstatat(root, path, &info, AT_SYMLINK_NOFOLLOW) == 0 ? FileStamp(info) : nil
        var stamp = folder.stamp
        if let expected = folder.stamp {
            guard found == expected else { return nil }
        } else {
            let listing = DirectoryWalk.entries(root, path)
            guard listing.files == folder.files.map(\.name), listing.folders == folder.folders else { return nil }
            stamp = found.flatMap { $0.settled(before: taken) ? $0 : nil }
        }
        for file in folder.files {
            var info = stat()
            guard fstatat(root, prefix + file.name, &info, AT_SYMLINK_NOFOLLOW) == 0, (info.st_mode & S_IFMT) == S_IFREG,
                  Int64(info.st_size) == file.size else { return nil }
        }
        return Folder(path: folder.path, stamp: stamp, files: folder.files, folders: folder.folders)
    }

    private static func split(_ path: String) -> (parent: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return ("", path) }
        return (String(path[..<slash]), String(path[path.index(after: slash)...]))
    }
}

// The tree's binary form for the stamps file.
extension OutputTree: BinaryCodable {
    init(from reader: inout BinaryReader) throws {
        self.init(folders: try reader.read())
    }

    func write(to writer: inout BinaryWriter) {
        writer.write(folders)
    }
}

extension OutputTree.Folder: BinaryCodable {
    init(from reader: inout BinaryReader) throws {
        self.init(path: try reader.read(), stamp: try reader.read(), files: try reader.read(), folders: try reader.read())
    }

    func write(to writer: inout BinaryWriter) {
        writer.write(path)
        writer.write(stamp)
        writer.write(files)
        writer.write(folders)
    }
}

extension OutputTree.File: BinaryCodable {
    init(from reader: inout BinaryReader) throws {
        self.init(name: try reader.read(), size: try reader.read())
    }

    func write(to writer: inout BinaryWriter) {
        writer.write(name)
        writer.write(size)
    }
}
