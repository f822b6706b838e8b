import AgoraContent
import Hummingbird
import NIOCore

/// JSON written straight into a byte buffer, for the endpoints answered most often (cart, feed,
/// follows, likes). Foundation's `JSONEncoder` boxes every value through `Codable` and was a third
/// of a feed page's CPU under load (BENCHMARKS.md); nothing in the package store writes JSON
/// faster, and the output here is a handful of flat objects.
///
/// Keys are written in the order given: callers give them sorted, as `JSONEncoder` with
/// `.sortedKeys` did, so responses stay byte for byte what they were.
struct JSONWriter {
    /// An array, copied once into the response's buffer: appending to it is cheaper than
    /// `ByteBuffer`'s checked writes, which were half the writer's time.
    private(set) var bytes: [UInt8] = []
    /// No comma before the next key or element: just after `{`, `[` or a key.
    private var atStart = true

    init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    var buffer: ByteBuffer { ByteBuffer(bytes: bytes) }

    mutating func object(_ body: (inout JSONWriter) throws -> Void) rethrows {
        separate()
        bytes.append(UInt8(ascii: "{"))
        atStart = true
        try body(&self)
        bytes.append(UInt8(ascii: "}"))
        atStart = false
    }

    mutating func array<Elements: Sequence>(_ elements: Elements, _ body: (inout JSONWriter, Elements.Element) throws -> Void) rethrows {
        separate()
        bytes.append(UInt8(ascii: "["))
        atStart = true
        for element in elements { try body(&self, element) }
        bytes.append(UInt8(ascii: "]"))
        atStart = false
    }

    /// A key; the value written next belongs to it.
    mutating func key(_ name: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        append(name)
        append("\":")
        atStart = true
    }

    mutating func value(_ text: String?) {
        separate()
        if let text { writeEscaped(text) } else { append("null") }
    }

    mutating func value(_ number: some BinaryInteger) {
        separate()
        bytes.append(contentsOf: String(number).utf8)
    }

    mutating func value(_ flag: Bool) {
        separate()
        append(flag ? "true" : "false")
    }

    /// A value written before by another `JSONWriter`, as it is.
    mutating func written(_ json: [UInt8]) {
        separate()
        bytes.append(contentsOf: json)
    }

    mutating func field(_ name: StaticString, _ text: String?) { key(name); value(text) }
    mutating func field(_ name: StaticString, _ number: some BinaryInteger) { key(name); value(number) }
    mutating func field(_ name: StaticString, _ flag: Bool) { key(name); value(flag) }

    private mutating func separate() {
        if !atStart { bytes.append(UInt8(ascii: ",")) }
        atStart = false
    }

    /// RFC 8259 §7 (`JSONEscaping`).
    private mutating func writeEscaped(_ text: String) {
        JSONEscaping.appendQuoted(text, to: &bytes)
    }

    private mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

}

/// A response body that writes itself as JSON.
protocol JSONWritable {
    func write(to json: inout JSONWriter)
    /// Bytes to reserve, so that a long response is not copied as it grows.
    var estimatedSize: Int { get }
}

extension JSONWritable {
    var estimatedSize: Int { 256 }
}

extension Response {
    /// `application/json; charset=utf-8` written by `JSONWriter`.
    static func json(_ value: some JSONWritable, status: HTTPResponse.Status = .ok) -> Response {
        var writer = JSONWriter(capacity: value.estimatedSize)
        value.write(to: &writer)
        return json(buffer: writer.buffer, status: status)
    }

    /// `application/json; charset=utf-8`: one object, its fields written by `body`.
    static func jsonObject(status: HTTPResponse.Status = .ok, _ body: (inout JSONWriter) -> Void) -> Response {
        var writer = JSONWriter()
        writer.object(body)
        return json(buffer: writer.buffer, status: status)
    }
}
