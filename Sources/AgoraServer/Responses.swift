import Foundation
import HTTPTypes
import Hummingbird

extension Response {
    /// `application/json; charset=utf-8` from an `Encodable` value.
    static func json<Value: Encodable>(_ value: Value, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return jsonData(try encoder.encode(value), status: status)
    }

    /// `application/json; charset=utf-8` from dictionaries and arrays.
    static func json(object: Any, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return jsonData(data, status: status)
    }

    private static func jsonData(_ data: Data, status: HTTPResponse.Status) -> Response {
        json(buffer: ByteBuffer(bytes: data), status: status)
    }

    static func json(buffer: ByteBuffer, status: HTTPResponse.Status) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: buffer))
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// Post/Redirect/Get: 303 to a path on this site.
    static func seeOther(_ location: String) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        headers[.cacheControl] = "no-store"
        return Response(status: .seeOther, headers: headers)
    }
}

extension Request {
    /// Whether the caller speaks JSON: everything under `/api/`.
    var wantsJSON: Bool { uri.path.hasPrefix("/api/") }

    /// The body as bytes, refusing more than the limit with 413.
    mutating func bodyData(limit: Int = ShopServer.bodyLimit) async throws -> Data {
        do {
            let buffer = try await collectBody(upTo: limit)
            return Data(buffer.readableBytesView)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw ShopHTTPError(.contentTooLarge, code: "body_too_large", message: "The request body is larger than \(limit / 1024) KiB")
        }
    }

    /// An HTML form body (`application/x-www-form-urlencoded`) as a dictionary of fields.
    mutating func formFields() async throws -> [String: String] {
        let data = try await bodyData()
        var fields: [String: String] = [:]
        for pair in String(decoding: data, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.formDecode(parts[0])
            guard !name.isEmpty, fields[name] == nil else { continue }  // the first value of a repeated field wins
            fields[name] = parts.count > 1 ? Self.formDecode(parts[1]) : ""
        }
        return fields
    }

    private static func formDecode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
