import ArgumentParser
import Foundation

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a new site with sample content and the default theme.",
        discussion: """
        Copies the sample shop and the default theme from Agora's installation (the source checkout, \
        or the folder named by AGORA_SHARE). Build it with `agora build --site DIR`.
        """
    )

    @Argument(help: "The folder to create (must not exist, or be empty).")
    var directory: String = "."

    func run() throws {
        let fileManager = FileManager.default
        let target = URL(fileURLWithPath: directory, isDirectory: true).standardizedFileURL
        if let entries = try? fileManager.contentsOfDirectory(atPath: target.path), !entries.filter({ !$0.hasPrefix(".") }).isEmpty {
            throw ValidationError("\(directory) is not empty; choose a new folder")
        }
        guard let share = SharedFiles.locate() else {
            throw ValidationError("cannot find Agora's sample site; set AGORA_SHARE to the folder holding content/ and themes/default/")
        }
        try fileManager.createDirectory(at: target, withIntermediateDirectories: true)
        try fileManager.copyItem(at: share.appendingPathComponent("content"), to: target.appendingPathComponent("content"))
        try fileManager.createDirectory(at: target.appendingPathComponent("themes"), withIntermediateDirectories: true)
        try fileManager.copyItem(at: share.appendingPathComponent("themes/default"),
                                 to: target.appendingPathComponent("themes/default"))
        try fileManager.createDirectory(at: target.appendingPathComponent("output"), withIntermediateDirectories: true)
        try Data("/output/\n/data/\n/.agora-cache/\n".utf8).write(to: target.appendingPathComponent(".gitignore"))
        print("Created a new site in \(directory). Next:\n  cd \(directory) && agora build")
    }
}

/// Finds the folder that holds the sample `content/` and `themes/default/`.
enum SharedFiles {
    static func locate() -> URL? {
        var candidates: [URL] = []
        if let share = ProcessInfo.processInfo.environment["AGORA_SHARE"] {
            candidates.append(URL(fileURLWithPath: share))
        }
        // A binary inside a checkout (.build/debug/agora) finds the checkout above it.
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        if let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            folder = URL(fileURLWithPath: executable).deletingLastPathComponent()
        }
        for _ in 0..<5 {
            candidates.append(folder)
            folder = folder.deletingLastPathComponent()
        }
        candidates += ["/usr/local/share/agora", "/usr/share/agora"].map { URL(fileURLWithPath: $0) }
        return candidates.first { candidate in
            FileManager.default.fileExists(atPath: candidate.appendingPathComponent("content/site.yml").path)
                && FileManager.default.fileExists(atPath: candidate.appendingPathComponent("themes/default/theme.yml").path)
        }
    }
}
