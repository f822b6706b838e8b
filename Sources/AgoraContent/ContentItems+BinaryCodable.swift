/// The build cache's binary form of parsed content (see `BinaryCodable`).

extension Money: BinaryCodable {
    public init(from reader: inout BinaryReader) throws { self.init(minorUnits: try reader.read()) }
    public func write(to writer: inout BinaryWriter) { writer.write(minorUnits) }
}

extension ParamValue: BinaryCodable {
    public init(from reader: inout BinaryReader) throws {
        switch try reader.read() as UInt64 {
        case 0: self = .string(try reader.read())
        case 1: self = .int(try reader.read())
        case 2: self = .double(Double(bitPattern: try reader.read()))
        case 3: self = .bool(try reader.read())
        case 4: self = .list(try reader.read())
        case 5: self = .map(try reader.read())
        case 6: self = .null
        default: throw BinaryCodingError(message: "unknown parameter kind")
        }
    }

    public func write(to writer: inout BinaryWriter) {
        switch self {
        case .string(let value): writer.write(UInt64(0)); writer.write(value)
        case .int(let value): writer.write(UInt64(1)); writer.write(value)
        case .double(let value): writer.write(UInt64(2)); writer.write(value.bitPattern)
        case .bool(let value): writer.write(UInt64(3)); writer.write(value)
        case .list(let value): writer.write(UInt64(4)); writer.write(value)
        case .map(let value): writer.write(UInt64(5)); writer.write(value)
        case .null: writer.write(UInt64(6))
        }
    }
}

extension SourceLocation: BinaryCodable {
    public init(from reader: inout BinaryReader) throws {
        self.init(file: try reader.read(), bodyStartLine: try reader.read(), keyLines: try reader.read())
    }

    public func write(to writer: inout BinaryWriter) {
        writer.write(file)
        writer.write(bodyStartLine)
        writer.write(keyLines)
    }
}

extension Category: BinaryCodable {
    public init(from reader: inout BinaryReader) throws {
        self.init(slug: try reader.read(), name: try reader.read(), weight: try reader.read(), descriptionMarkdown: try reader.read(),
                  params: try reader.read(), source: try reader.read())
    }

    public func write(to writer: inout BinaryWriter) {
        writer.write(slug); writer.write(name); writer.write(weight); writer.write(descriptionMarkdown)
        writer.write(params); writer.write(source)
    }
}

extension Product: BinaryCodable {
    public convenience init(from reader: inout BinaryReader) throws {
        self.init(sku: try reader.read(), slug: try reader.read(), name: try reader.read(), category: try reader.read(),
                  price: try reader.read(), stock: try reader.read(), available: try reader.read(), image: try reader.read(),
                  maker: try reader.read(), date: try reader.read(), draft: try reader.read(), tags: try reader.read(),
                  descriptionMarkdown: try reader.read(), params: try reader.read(), source: try reader.read())
    }

    public func write(to writer: inout BinaryWriter) {
        writer.write(sku); writer.write(slug); writer.write(name); writer.write(category); writer.write(price)
        writer.write(stock); writer.write(available); writer.write(image); writer.write(maker); writer.write(date)
        writer.write(draft); writer.write(tags); writer.write(descriptionMarkdown); writer.write(params); writer.write(source)
    }
}

extension Person: BinaryCodable {
    public init(from reader: inout BinaryReader) throws {
        self.init(username: try reader.read(), name: try reader.read(), photo: try reader.read(), location: try reader.read(),
                  website: try reader.read(), active: try reader.read(), bioMarkdown: try reader.read(), params: try reader.read(),
                  source: try reader.read())
    }

    public func write(to writer: inout BinaryWriter) {
        writer.write(username); writer.write(name); writer.write(photo); writer.write(location); writer.write(website)
        writer.write(active); writer.write(bioMarkdown); writer.write(params); writer.write(source)
    }
}

extension Page: BinaryCodable {
    public init(from reader: inout BinaryReader) throws {
        self.init(slug: try reader.read(), title: try reader.read(), bodyMarkdown: try reader.read(), params: try reader.read(),
                  source: try reader.read())
    }

    public func write(to writer: inout BinaryWriter) {
        writer.write(slug); writer.write(title); writer.write(bodyMarkdown); writer.write(params); writer.write(source)
    }
}

extension FileStamp: BinaryCodable {
    public init(from reader: inout BinaryReader) throws {
        self.init(size: try reader.read(), modified: try reader.read(), changed: try reader.read(), inode: try reader.read())
    }

    public func write(to writer: inout BinaryWriter) { writer.write(size); writer.write(modified); writer.write(changed); writer.write(inode) }
}

extension FrontMatterKey: BinaryCodable {
    init(from reader: inout BinaryReader) throws {
        yamlHash = try reader.read()
        yamlLength = try reader.read()
        modifiedDay = try reader.read()
    }

    func write(to writer: inout BinaryWriter) { writer.write(yamlHash); writer.write(yamlLength); writer.write(modifiedDay) }
}

extension ItemKeys: BinaryCodable {
    init(from reader: inout BinaryReader) throws {
        let location: SourceLocation = try reader.read()
        let values: [String: String] = try reader.read()
        let isDraft: Bool = try reader.read()
        self.init(location: location, values: values, isDraft: isDraft)
        warnings = try reader.read()
    }

    func write(to writer: inout BinaryWriter) {
        writer.write(location); writer.write(values); writer.write(isDraft); writer.write(warnings)
    }
}

extension ContentIssue: BinaryCodable {
    public init(from reader: inout BinaryReader) throws {
        self.init(file: try reader.read(), line: try reader.read(), key: try reader.read(), message: try reader.read())
    }

    public func write(to writer: inout BinaryWriter) {
        writer.write(file); writer.write(line); writer.write(key); writer.write(message)
    }
}

extension ParsedFile: BinaryCodable {
    init(from reader: inout BinaryReader) throws {
        key = try reader.read()
        stamp = try reader.read()
        bodyDigest = try reader.read()
        item = try reader.read()
        keys = try reader.read()
    }

    func write(to writer: inout BinaryWriter) {
        writer.write(key); writer.write(stamp); writer.write(bodyDigest); writer.write(item); writer.write(keys)
    }
}

extension ParsedFiles: BinaryCodable {
    public init(from reader: inout BinaryReader) throws {
        self.init()
        listedAt = try reader.read()
        categories = try reader.read()
        products = try reader.read()
        people = try reader.read()
        pages = try reader.read()
    }

    public func write(to writer: inout BinaryWriter) {
        writer.write(listedAt); writer.write(categories); writer.write(products); writer.write(people); writer.write(pages)
    }
}
