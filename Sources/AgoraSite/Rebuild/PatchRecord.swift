import AgoraContent
import Foundation

/// What an edit's patch (`PatchBuild`) needs from the last build, saved beside the stamps: every
/// input file's stamp (to tell which files changed), the products and what each output shows of
/// them (`Showing`), where each product's entry lies in `search.json` and `catalog.json`, and
/// the outputs the link checker resolves against. Small numbers stand for products, so the
/// record of a 10,000-product site reads back in a few milliseconds.
///
/// A patch changes only the inputs' stamps and the JSON entries' places; everything else (the
/// site's layout: outputs, products, what each output shows) is kept in a section of its own,
/// read beside the stamps and written back as it was read, not encoded again.
struct PatchRecord: Sendable {
    static let format = 3

    /// Where a product's entry lies in a JSON file, by product number.
    struct Entries: Sendable {
        var products: [Int] = []
        var ranges: [Range<Int>] = []
    }

    var format = PatchRecord.format
    /// `BuildOptions.stampsKey` of the build that saved it.
    var key = ""
    /// The build's timestamp (`SiteBuilder.generatedTimestamp`), which only a product's date moves.
    var generated = ""
    /// Every input file's stamp, by folder (absolute path), in the order the walk found them.
    var inputs: [String: StampList] = [:]
    /// Every output path, in the order the build makes them (`LinkChecker` resolves links against them).
    private(set) var outputs: [String] = []
    /// The products' content files as messages show them; a product's number is its place here.
    private(set) var products: [String] = []
    /// By product number: the digest of what places the product (`placement`).
    private(set) var placements: [Fingerprint] = []
    /// Products whose files had front-matter warnings.
    private(set) var warned: [Int] = []
    /// People's content files (relative to the content folder), by username.
    private(set) var personFiles: [String: String] = [:]
    /// Outputs that show products: their place in `outputs`, and what they show.
    private(set) var shown: [Int] = []
    private(set) var showings: [Showing<Int>] = []
    var search = Entries()
    var catalog = Entries()
    /// Product files (relative to their folder, as in `inputs`) read within a second of the
    /// walk, whose stamps cannot be trusted (`StampList`), with the digest of the product the build
    /// made of them (`digest(of:)`). The next build reads them again, and leaves those that still
    /// read the same out of its patch: edits saved one right after another each patch one product.
    var racy: [String: Fingerprint] = [:]
    /// Content hashes of images, as `BuildCache.images`.
    private(set) var images: [String: Thumbnails.HashRecord] = [:]
    /// The layout's section as it was read, written back as it is: `outputs`, `products`,
    /// `placements`, `warned`, `personFiles`, `shown`, `showings` and `images`, which only the inits set.
    private var layoutSection: [UInt8]?

    /// What places a product among the others and decides which outputs show it: everything but
    /// its own values (price, stock, description, params). An edit that keeps it changes only
    /// those outputs, in place.
    static func placement(_ product: Product) -> Fingerprint {
        Fingerprint.of(texts: [
            "placement 1", product.sku, product.slug, product.name, product.category, product.available ? "1" : "0",
            product.image ?? "\u{0}", product.maker ?? "\u{0}", product.date, product.draft ? "1" : "0",
        ] + product.tags)
    }

    /// A digest of everything the build made of a product file: the product in its binary form.
    static func digest(of product: Product) -> Fingerprint {
        var writer = BinaryWriter(capacity: 512)
        product.write(to: &writer)
        return Fingerprint.of(bytes: writer.bytes)
    }

    /// The digests of `products` (by path relative to the content folder) whose files the walk
    /// `listed` under `contentRoot` found touched within a second of `taken`.
    static func racyDigests(_ listed: [(root: String, files: [(relative: String, info: stat)])], contentRoot: String,
                            taken: Int64, products: [String: Product]) -> [String: Fingerprint] {
        var digests: [String: Fingerprint] = [:]
        for (root, files) in listed where root == contentRoot {
            for file in files where !FileStamp(file.info).settled(before: taken) {
                if let product = products[file.relative] { digests[file.relative] = digest(of: product) }
            }
        }
        return digests
    }

    /// A content file's path relative to the content folder, from the path messages show
    /// (`display`, under `contentDisplayName` unless that is empty).
    static func relative(_ display: String, contentDisplayName: String) -> String {
        contentDisplayName.isEmpty ? display : String(display.dropFirst(contentDisplayName.count + 1))
    }

    static func load(_ file: URL) -> PatchRecord? {
        guard var reader = BinaryReader(contentsOfFile: file.path),
              let record = try? PatchRecord(from: &reader), reader.isAtEnd else { return nil }
        return record
    }

    func save(_ file: URL) throws {
        var writer = BinaryWriter(capacity: 64 * outputs.count + 64 * products.count + 4096)
        write(to: &writer)
        try OutputWriter.writeFile(parts: [writer.bytes], to: file.path + ".tmp")
        guard rename(file.path + ".tmp", file.path) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file.path])
        }
    }
}

extension PatchRecord {
    /// The record of a full build: its jobs, its plan, the stamps its inputs had when it began (at `taken`).
    /// `contentDisplayName` is how messages name the content folder (`BuildOptions`).
    init(key: String, plan: SitePlan, jobs: [OutputJob], inputs: InputStamps.Inputs, taken: Int64, warnings: [ContentIssue],
         images: [String: Thumbnails.HashRecord], contentDirectory: URL, contentDisplayName: String) {
        self.key = key
        generated = plan.generated
        for (root, files) in inputs.listed { self.inputs[root] = StampList(files, taken: taken) }
        outputs = jobs.map(\.path)
        let products = plan.content.products
        self.products = products.map(\.source.file)
        let numbers = Dictionary(self.products.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        placements = products.map(Self.placement)
        let warnedFiles = Set(warnings.map(\.file))
        warned = self.products.indices.filter { warnedFiles.contains(self.products[$0]) }
        personFiles = Dictionary(plan.content.people.map { person in
            let file = person.source.file
            return (person.username, Self.relative(file, contentDisplayName: contentDisplayName))
        }, uniquingKeysWith: { first, _ in first })
        for (index, job) in jobs.enumerated() {
            guard let shows = job.shows, let numbered = try? shows.map({ file -> Int in
                guard let number = numbers[file] else { throw BinaryCodingError(message: "not a product") }
                return number
            }) else { continue }
            shown.append(index)
            showings.append(numbered)
        }
        search = Entries(products: plan.listed.compactMap { numbers[$0.product.source.file] }, ranges: plan.searchIndexRanges)
        catalog = Entries(products: products.compactMap { numbers[$0.source.file] }, ranges: plan.catalogRanges.get())
        self.images = images
        let byFile = Dictionary(products.map { (Self.relative($0.source.file, contentDisplayName: contentDisplayName), $0) },
                                uniquingKeysWith: { first, _ in first })
        racy = Self.racyDigests(inputs.listed, contentRoot: contentDirectory.standardizedFileURL.path, taken: taken, products: byFile)
    }
}

/// Ranges set by one job and read after all jobs finished.
final class LockedRanges: @unchecked Sendable {
    private let lock = NSLock()
    private var ranges: [Range<Int>] = []

    func set(_ ranges: [Range<Int>]) { lock.withLock { self.ranges = ranges } }
    func get() -> [Range<Int>] { lock.withLock { ranges } }
}

// The record's binary form: the format, key and timestamp; the layout, a section of its own;
// then the inputs' stamps and the JSON entries' places, which a patch changes. The two parts
// are decoded side by side.
extension PatchRecord: BinaryCodable {
    init(from reader: inout BinaryReader) throws {
        format = try reader.read()
        guard format == Self.format else { throw BinaryCodingError(message: "another record format") }
        key = try reader.read()
        generated = try reader.read()
        let sections = [try reader.readSection(), try reader.readSection()]
        let parts = ParallelMap.map([true, false]) { isLayout -> Result<PatchRecord, BinaryCodingError> in
            var part = PatchRecord()
            var reader = BinaryReader(sections[isLayout ? 0 : 1])
            do {
                if isLayout { try part.readLayout(from: &reader) } else { try part.readChanging(from: &reader) }
                guard reader.isAtEnd else { throw BinaryCodingError(message: "record section runs long") }
                return .success(part)
            } catch let error as BinaryCodingError {
                return .failure(error)
            } catch {
                return .failure(BinaryCodingError(message: "\(error)"))
            }
        }
        let (site, changing) = (try parts[0].get(), try parts[1].get())
        (outputs, products, placements, warned) = (site.outputs, site.products, site.placements, site.warned)
        (personFiles, shown, showings, images) = (site.personFiles, site.shown, site.showings, site.images)
        (inputs, search, catalog, racy) = (changing.inputs, changing.search, changing.catalog, changing.racy)
        layoutSection = sections[0]
    }

    func write(to writer: inout BinaryWriter) {
        writer.write(format)
        writer.write(key)
        writer.write(generated)
        if let layoutSection {
            writer.writeSection(layoutSection)
        } else {
            var layout = BinaryWriter(capacity: 48 * outputs.count + 64 * products.count + 4096)
            writeLayout(to: &layout)
            writer.writeSection(layout.bytes)
        }
        var changing = BinaryWriter(capacity: 48 * products.count + 4096)
        changing.write(inputs)
        changing.write(search)
        changing.write(catalog)
        changing.write(racy)
        writer.writeSection(changing.bytes)
    }

    private mutating func readLayout(from reader: inout BinaryReader) throws {
        outputs = try reader.read()
        products = try reader.read()
        placements = try reader.read()
        warned = try reader.read()
        personFiles = try reader.read()
        shown = try reader.read()
        showings = try reader.read()
        images = try reader.read()
    }

    private mutating func readChanging(from reader: inout BinaryReader) throws {
        inputs = try reader.read()
        search = try reader.read()
        catalog = try reader.read()
        racy = try reader.read()
    }

    private func writeLayout(to writer: inout BinaryWriter) {
        writer.write(outputs)
        writer.write(products)
        writer.write(placements)
        writer.write(warned)
        writer.write(personFiles)
        writer.write(shown)
        writer.write(showings)
        writer.write(images)
    }
}

/// One folder's files and their stamps, in the order a walk found them: the next walk finds
/// them in the same order unless the folder changed, so they are compared side by side, with no
/// table of every path to make.
struct StampList: Sendable, BinaryCodable {
    var files: [String]
    var stamps: [FileStamp]

    /// The files of a walk taken at `taken` (nanoseconds since 1970). A file touched within a
    /// second of it could change again and keep its stamp (`FileStamp.settled`), so it is kept
    /// with a stamp no file has, and counts as changed next time: the next build reads it again
    /// (git's "racily clean" entries) instead of distrusting the whole walk.
    init(_ walked: [(relative: String, info: stat)], taken: Int64) {
        files = walked.map(\.relative)
        stamps = walked.map { file in
            let stamp = FileStamp(file.info)
            return stamp.settled(before: taken) ? stamp : FileStamp(size: -1, modified: stamp.modified)
        }
    }

    /// The files whose stamps differ in `walked`; nil when it holds other files.
    func changed(_ walked: [(relative: String, info: stat)]) -> [String]? {
        guard walked.count == files.count else { return nil }
        var changed: [String] = []
        if zip(walked, files).allSatisfy({ $0.relative == $1 }) {
            for (index, file) in walked.enumerated() where FileStamp(file.info) != stamps[index] { changed.append(file.relative) }
            return changed
        }
        let known = Dictionary(zip(files, stamps).map { ($0, $1) }, uniquingKeysWith: { first, _ in first })
        for file in walked {
            guard let stamp = known[file.relative] else { return nil }
            if FileStamp(file.info) != stamp { changed.append(file.relative) }
        }
        return changed
    }

    init(from reader: inout BinaryReader) throws {
        files = try reader.read()
        stamps = try reader.read()
        guard files.count == stamps.count else { throw BinaryCodingError(message: "stamps run short") }
    }

    func write(to writer: inout BinaryWriter) {
        writer.write(files)
        writer.write(stamps)
    }
}

extension PatchRecord.Entries: BinaryCodable {
    init(from reader: inout BinaryReader) throws {
        products = try reader.read()
        let bounds: [Int] = try reader.read()
        guard bounds.count == products.count * 2 else { throw BinaryCodingError(message: "entries run short") }
        ranges = stride(from: 0, to: bounds.count, by: 2).map { bounds[$0]..<max(bounds[$0], bounds[$0 + 1]) }
    }

    func write(to writer: inout BinaryWriter) {
        writer.write(products)
        writer.write(ranges.flatMap { [$0.lowerBound, $0.upperBound] })
    }
}
