import AgoraContent

/// What an output shows of products, and in what order: recorded with every full build so that
/// an edit of one product's own values (`PatchBuild`) can make again just the outputs that show
/// that product, from those products alone, without planning the whole site.
///
/// The plan names products by their content file as messages show it (`SourceLocation.file`);
/// the saved record (`PatchRecord`) by their number in its table of files. People are named by
/// username.
enum Showing<ProductRef: Sendable & Equatable>: Sendable, Equatable {
    case product(ProductRef)
    case list(ShownList, number: Int, pageCount: Int, total: Int, products: [ProductRef])
    /// The home page: the newest products, the first people with their product counts, and a
    /// tile per category in the categories' order.
    case home(products: [ProductRef], people: [String], productCounts: [Int], categories: [CategoryTile])
    case profile(person: String, products: [ProductRef])
    /// A category's feed, or the site's with `category` nil: its entries.
    case feed(category: String?, products: [ProductRef])

    /// The products shown, in order.
    var products: [ProductRef] {
        switch self {
        case .product(let file): return [file]
        case .list(_, _, _, _, let products), .home(let products, _, _, _), .profile(_, let products),
             .feed(_, let products):
            return products
        }
    }

    /// The people whose values are shown (cards, the profile's owner).
    var people: [String] {
        switch self {
        case .home(_, let people, _, _): return people
        case .profile(let person, _): return [person]
        default: return []
        }
    }

    /// The same, with each product named by `transform`.
    func map<Other>(_ transform: (ProductRef) throws -> Other) rethrows -> Showing<Other> {
        switch self {
        case .product(let product): return .product(try transform(product))
        case .list(let list, let number, let pageCount, let total, let products):
            return .list(list, number: number, pageCount: pageCount, total: total, products: try products.map(transform))
        case .home(let products, let people, let counts, let categories):
            return .home(products: try products.map(transform), people: people, productCounts: counts, categories: categories)
        case .profile(let person, let products): return .profile(person: person, products: try products.map(transform))
        case .feed(let category, let products): return .feed(category: category, products: try products.map(transform))
        }
    }
}

/// The list a paginated product list page belongs to.
enum ShownList: Sendable, Equatable {
    case catalog
    case category(slug: String)
    case tag(name: String)
}

/// A category's tile on the home page: how many products it has and the first one's image.
struct CategoryTile: Sendable, Equatable {
    let count: Int
    let imageURL: String?
}

// The record's binary form: a tag, then the case's values.
extension Showing: BinaryCodable where ProductRef: BinaryCodable {
    init(from reader: inout BinaryReader) throws {
        switch try reader.read() as Int {
        case 0: self = .product(try reader.read())
        case 1:
            self = .list(try reader.read(), number: try reader.read(), pageCount: try reader.read(), total: try reader.read(),
                         products: try reader.read())
        case 2:
            self = .home(products: try reader.read(), people: try reader.read(), productCounts: try reader.read(),
                         categories: try reader.read())
        case 3: self = .profile(person: try reader.read(), products: try reader.read())
        case 4: self = .feed(category: try reader.read(), products: try reader.read())
        default: throw BinaryCodingError(message: "unknown output kind")
        }
    }

    func write(to writer: inout BinaryWriter) {
        switch self {
        case .product(let product):
            writer.write(0); writer.write(product)
        case .list(let list, let number, let pageCount, let total, let products):
            writer.write(1); writer.write(list); writer.write(number); writer.write(pageCount); writer.write(total)
            writer.write(products)
        case .home(let products, let people, let counts, let categories):
            writer.write(2); writer.write(products); writer.write(people); writer.write(counts); writer.write(categories)
        case .profile(let person, let products):
            writer.write(3); writer.write(person); writer.write(products)
        case .feed(let category, let products):
            writer.write(4); writer.write(category); writer.write(products)
        }
    }
}

extension ShownList: BinaryCodable {
    init(from reader: inout BinaryReader) throws {
        switch try reader.read() as Int {
        case 0: self = .catalog
        case 1: self = .category(slug: try reader.read())
        case 2: self = .tag(name: try reader.read())
        default: throw BinaryCodingError(message: "unknown list")
        }
    }

    func write(to writer: inout BinaryWriter) {
        switch self {
        case .catalog: writer.write(0)
        case .category(let slug): writer.write(1); writer.write(slug)
        case .tag(let name): writer.write(2); writer.write(name)
        }
    }
}

extension CategoryTile: BinaryCodable {
    init(from reader: inout BinaryReader) throws {
        self.init(count: try reader.read(), imageURL: try reader.read())
    }

    func write(to writer: inout BinaryWriter) {
        writer.write(count)
        writer.write(imageURL)
    }
}
