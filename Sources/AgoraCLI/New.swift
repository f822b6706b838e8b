import AgoraContent
import ArgumentParser
import Foundation

struct New: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Create a content file (product, person, page or category) from an archetype.",
        usage: """
        agora new <kind> <slug> [--category SLUG] [--site DIR] [--content DIR]
        """,
        discussion: """
        The text comes from archetypes/<kind>.md in the site folder, else from the theme's \
        archetypes/ folder, else from Agora's own. {{name}}, {{slug}}, {{sku}}, {{category}} and \
        {{date}} in it are filled in. An existing file is never overwritten.
        """
    )

    @Argument(help: "What to create: product, person, page or category.")
    var kind: String

    @Argument(help: "The new file's slug (for a person, the username).")
    var slug: String

    @Option(name: .long, help: "The product's category (required for a product when the site has several).")
    var category: String?

    @Option(name: .long, help: "The site folder (default: the current directory).")
    var site: String?

    @Option(name: .long, help: "Content folder, relative to the site folder.")
    var content: String = "content"

    func run() throws {
        guard let kind = ContentKind(rawValue: kind) else {
            throw exitWithError("\"\(self.kind)\" is not a kind of content; choose product, person, page or category")
        }
        if let problem = kind.problem(with: slug) { throw exitWithError(problem) }
        let root = URL(fileURLWithPath: site ?? FileManager.default.currentDirectoryPath, isDirectory: true)
        let contentFolder = URL(fileURLWithPath: content, relativeTo: root).standardizedFileURL
        let categories = Self.categories(in: contentFolder)
        var chosenCategory = category
        if kind == .product {
            if let category, !categories.contains(category) {
                throw exitWithError("category \"\(category)\" does not exist (known: \(categories.joined(separator: ", ")))")
            }
            if chosenCategory == nil, categories.count == 1 { chosenCategory = categories.first }
            guard chosenCategory != nil else {
                throw exitWithError("choose the product's category with --category (known: \(categories.joined(separator: ", ")))")
            }
        }
        // Products sit in a folder per category when the site already sorts them that way.
        var folder = contentFolder.appendingPathComponent(kind.folder)
        if kind == .product, let chosenCategory, Self.isDirectory(folder.appendingPathComponent(chosenCategory)) {
            folder.appendPathComponent(chosenCategory)
        }
        let file = folder.appendingPathComponent("\(slug).md")
        let displayPath = file.path.hasPrefix(root.standardizedFileURL.path + "/")
            ? String(file.path.dropFirst(root.standardizedFileURL.path.count + 1)) : file.path
        guard !FileManager.default.fileExists(atPath: file.path) else {
            throw exitWithError("\(displayPath) already exists; nothing was written")
        }
        let archetype = Archetype.find(kind, site: root, theme: Self.themeFolder(root: root, content: contentFolder))
        let text = archetype.filled(slug: slug, category: chosenCategory, date: Self.today())
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // O_EXCL: a file made between the check above and now is not overwritten either.
        let descriptor = open(file.path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard descriptor >= 0 else {
            throw exitWithError("cannot create \(displayPath): \(String(cString: strerror(errno)))")
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        try handle.write(contentsOf: Data(text.utf8))
        print("Created \(displayPath)" + (kind == .product ? " (a draft until you set draft: false)" : ""))
    }

    private static func categories(in content: URL) -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: content.appendingPathComponent("categories").path)) ?? []
        return files.filter { $0.hasSuffix(".md") }.map { String($0.dropLast(3)) }.sorted()
    }

    private static func isDirectory(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// The theme named by `theme:` in site.yml, for its archetypes.
    private static func themeFolder(root: URL, content: URL) -> URL? {
        SiteConfig.read(contentDirectory: content).map { SiteLocation.themeFolder($0.theme, root: root) }
    }

    private static func today() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: Date())
    }
}
