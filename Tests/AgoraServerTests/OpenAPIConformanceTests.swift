import AgoraTestSupport
import Foundation
import Testing
import Yams

/// Real responses checked against `openapi.yaml`: every status must be documented for its
/// operation and every JSON body must match the documented schema.
@Suite struct OpenAPIConformanceTests {
    @Test func everyResponseMatchesTheDescription() async throws {
        let contract = try OpenAPIContract(file: TestShop.repository.appendingPathComponent("openapi.yaml"))
        let shop = try TestShop()
        try await shop.run { port in
            let browser = Browser(port: port)
            let client = HTTPClient(port: port)
            var checked: [(String, String, HTTPReply)] = []
            func record(_ method: String, _ path: String, _ reply: HTTPReply) { checked.append((method, path, reply)) }

            record("GET", "/api/cart", try await browser.get("/api/cart"))
            record("POST", "/api/cart/items", try await browser.json("POST", "/api/cart/items", ["sku": "GT-1", "quantity": 2]))
            record("POST", "/api/cart/items", try await browser.json("POST", "/api/cart/items", ["sku": "GT-1", "quantity": 0]))
            record("POST", "/api/cart/items", try await browser.json("POST", "/api/cart/items", ["sku": "NOPE", "quantity": 1]))
            record("POST", "/api/cart/items", try await browser.json("POST", "/api/cart/items", ["sku": "GT-2", "quantity": 9]))
            record("POST", "/api/cart/items", try await browser.send("POST", "/api/cart/items", headers: ["Content-Type": "text/plain"],
                                                                      body: Data("{}".utf8)))
            record("POST", "/api/cart/items", try await browser.send("POST", "/api/cart/items", headers: ["Content-Type": "application/json"],
                                                                      body: Data(count: 70_000)))
            record("POST", "/api/cart/items", try await browser.json("POST", "/api/cart/items", ["sku": "GT-1", "quantity": 1],
                                                                      headers: ["Sec-Fetch-Site": "cross-site"]))
            record("GET", "/api/cart", try await browser.get("/api/cart"))
            record("DELETE", "/api/cart/items/GT-1", try await browser.send("DELETE", "/api/cart/items/GT-1"))
            record("DELETE", "/api/cart/items/GT-1", try await browser.send("DELETE", "/api/cart/items/GT-1",
                                                                            headers: ["Sec-Fetch-Site": "cross-site"]))
            record("POST", "/api/orders", try await browser.json("POST", "/api/orders", TestShop.customer))  // empty cart: 409
            try await browser.json("POST", "/api/cart/items", ["sku": "GT-1", "quantity": 1])
            var bad = TestShop.customer
            bad["email"] = "nope"
            record("POST", "/api/orders", try await browser.json("POST", "/api/orders", bad))
            record("POST", "/api/orders", try await browser.send("POST", "/api/orders", headers: ["Content-Type": "application/json"],
                                                                 body: Data("[1,".utf8)))
            record("POST", "/api/orders", try await browser.json("POST", "/api/orders", TestShop.customer, headers: ["Idempotency-Key": "k"]))
            record("POST", "/api/orders", try await browser.json("POST", "/api/orders", TestShop.customer, headers: ["Idempotency-Key": "k"]))
            record("POST", "/api/orders", try await browser.json("POST", "/api/orders", bad.merging(["email": "b@example.com"]) { $1 },
                                                                 headers: ["Idempotency-Key": "k"]))
            record("GET", "/api/products/GT-1", try await client.send("GET", "/api/products/GT-1"))
            record("GET", "/api/products/NOPE", try await client.send("GET", "/api/products/NOPE"))
            record("POST", "/api/views/product/GT-1", try await client.send("POST", "/api/views/product/GT-1"))
            record("POST", "/api/views/product/NOPE", try await client.send("POST", "/api/views/product/NOPE"))
            record("POST", "/api/views/person/ana", try await client.send("POST", "/api/views/person/ana"))
            record("POST", "/api/views/person/ana", try await client.send("POST", "/api/views/person/ana",
                                                                          headers: ["Sec-Fetch-Site": "cross-site"]))
            record("GET", "/api/ranking", try await client.send("GET", "/api/ranking?kind=product&by=views&limit=5"))
            record("GET", "/api/ranking", try await client.send("GET", "/api/ranking?kind=person"))
            record("GET", "/api/ranking", try await client.send("GET", "/api/ranking?limit=500"))
            record("POST", "/api/follow", try await browser.json("POST", "/api/follow", ["username": "ana", "action": "follow"]))  // 401
            try await browser.form("/account/register/", ["username": "bob", "email": "bob@example.com", "name": "Bob", "password": "12345678"])
            record("POST", "/api/follow", try await browser.json("POST", "/api/follow", ["username": "ana", "action": "follow"]))
            record("POST", "/api/follow", try await browser.json("POST", "/api/follow", ["username": "nobody", "action": "follow"]))
            record("POST", "/api/follow", try await browser.json("POST", "/api/follow", ["username": "ana", "action": "x"]))
            record("POST", "/api/likes", try await browser.json("POST", "/api/likes", ["sku": "GT-1", "action": "like"]))
            record("POST", "/api/likes", try await browser.json("POST", "/api/likes", ["sku": "GT-9", "action": "like"]))
            record("GET", "/api/people/ana", try await browser.get("/api/people/ana"))
            record("GET", "/api/people/nobody", try await browser.get("/api/people/nobody"))
            record("GET", "/api/feed", try await browser.get("/api/feed?limit=2"))
            record("GET", "/api/feed", try await browser.get("/api/feed?limit=0"))
            record("GET", "/api/feed", try await HTTPClient(port: port).send("GET", "/api/feed"))
            record("GET", "/healthz", try await client.send("GET", "/healthz"))
            record("GET", "/api/openapi.yaml", try await client.send("GET", "/api/openapi.yaml"))

            var statuses: Set<Int> = []
            for (method, path, reply) in checked {
                statuses.insert(reply.status)
                for problem in contract.problems(method: method, path: path, reply: reply) {
                    Issue.record("\(method) \(path) → \(reply.status): \(problem)")
                }
            }
            #expect(statuses == [200, 201, 400, 401, 403, 404, 409, 413, 415, 422])
        }
    }

    @Test func theValidatorCatchesWhatItShould() throws {
        let contract = try OpenAPIContract(file: TestShop.repository.appendingPathComponent("openapi.yaml"))
        let ok = HTTPReply.fake(200, #"{"count":0,"currency":"EUR","items":[],"summary":"Your cart is empty","total":"0.00"}"#)
        #expect(contract.problems(method: "GET", path: "/api/cart", reply: ok).isEmpty)
        let wrongType = HTTPReply.fake(200, #"{"count":"0","currency":"EUR","items":[],"summary":"Your cart is empty","total":"0.00"}"#)
        #expect(!contract.problems(method: "GET", path: "/api/cart", reply: wrongType).isEmpty)
        let extra = HTTPReply.fake(200, #"{"count":0,"currency":"EUR","items":[],"summary":"Your cart is empty","total":"0.00","x":1}"#)
        #expect(!contract.problems(method: "GET", path: "/api/cart", reply: extra).isEmpty)
        let badPrice = HTTPReply.fake(200, #"{"count":0,"currency":"EUR","items":[],"summary":"Your cart is empty","total":"0.5"}"#)
        #expect(!contract.problems(method: "GET", path: "/api/cart", reply: badPrice).isEmpty)
        let undocumented = HTTPReply.fake(418, #"{}"#)
        #expect(!contract.problems(method: "GET", path: "/api/cart", reply: undocumented).isEmpty)
    }
}

extension HTTPReply {
    static func fake(_ status: Int, _ json: String) -> HTTPReply {
        HTTPReply(status: status, headers: ["content-type": "application/json; charset=utf-8"], body: Data(json.utf8))
    }
}

/// The subset of OpenAPI 3.1 / JSON Schema the contract uses: $ref, type (with null), properties,
/// required, additionalProperties: false, items, enum, pattern, minimum, maximum, minLength, maxLength.
struct OpenAPIContract: @unchecked Sendable {  // the parsed document is never mutated
    let document: [String: Any]

    init(file: URL) throws {
        let text = try String(contentsOf: file, encoding: .utf8)
        document = try Yams.load(yaml: text) as? [String: Any] ?? [:]
    }

    func problems(method: String, path: String, reply: HTTPReply) -> [String] {
        guard let paths = document["paths"] as? [String: Any],
              let (_, item) = paths.first(where: { Self.matches(template: $0.key, path: path) }),
              let operation = (item as? [String: Any])?[method.lowercased()] as? [String: Any] else {
            return ["no operation documented"]
        }
        guard let responses = operation["responses"] as? [String: Any],
              var response = responses[String(reply.status)] as? [String: Any] else {
            return ["status \(reply.status) is not documented"]
        }
        response = resolve(response)
        guard let content = response["content"] as? [String: Any] else { return [] }
        let type = reply[header: "content-type"] ?? ""
        guard let (mediaType, media) = content.first(where: { type.hasPrefix($0.key) }) else {
            return ["content type \(type) is not one of \(content.keys.sorted())"]
        }
        guard mediaType == "application/json", let schema = (media as? [String: Any])?["schema"] as? [String: Any] else { return [] }
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: reply.body) else { return ["the body is not JSON"] }
        return validate(value, schema: schema, at: "$")
    }

    static func matches(template: String, path: String) -> Bool {
        let a = template.split(separator: "/")
        let b = path.split(separator: "/")
        guard a.count == b.count else { return false }
        return zip(a, b).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
    }

    private func resolve(_ schema: [String: Any]) -> [String: Any] {
        guard let reference = schema["$ref"] as? String, reference.hasPrefix("#/") else { return schema }
        var node: Any = document
        for part in reference.dropFirst(2).split(separator: "/") { node = (node as? [String: Any])?[String(part)] ?? [:] }
        return resolve(node as? [String: Any] ?? [:])
    }

    func validate(_ value: JSONValue, schema raw: [String: Any], at path: String) -> [String] {
        let schema = resolve(raw)
        var problems: [String] = []
        let types: [String] = (schema["type"] as? [String]) ?? (schema["type"] as? String).map { [$0] } ?? []
        if !types.isEmpty, !types.contains(where: { value.isA($0) }) {
            return ["\(path): expected \(types.joined(separator: " or ")), got \(value.kind)"]
        }
        if let allowed = schema["enum"] as? [String], case .string(let text) = value, !allowed.contains(text) {
            problems.append("\(path): \"\(text)\" is not one of \(allowed)")
        }
        if case .string(let text) = value {
            if let pattern = schema["pattern"] as? String, text.range(of: pattern, options: .regularExpression) == nil {
                problems.append("\(path): \"\(text)\" does not match \(pattern)")
            }
            if let limit = schema["maxLength"] as? Int, text.count > limit { problems.append("\(path): longer than \(limit)") }
            if let limit = schema["minLength"] as? Int, text.count < limit { problems.append("\(path): shorter than \(limit)") }
        }
        if case .integer(let number) = value {
            if let minimum = schema["minimum"] as? Int, number < minimum { problems.append("\(path): \(number) < \(minimum)") }
            if let maximum = schema["maximum"] as? Int, number > maximum { problems.append("\(path): \(number) > \(maximum)") }
        }
        if case .object(let object) = value {
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for name in schema["required"] as? [String] ?? [] where object[name] == nil {
                problems.append("\(path): \"\(name)\" is required")
            }
            for (name, child) in object {
                if let childSchema = properties[name] as? [String: Any] {
                    problems += validate(child, schema: childSchema, at: "\(path).\(name)")
                } else if schema["additionalProperties"] as? Bool == false {
                    problems.append("\(path): \"\(name)\" is not allowed")
                }
            }
        }
        if case .array(let items) = value, let itemSchema = schema["items"] as? [String: Any] {
            for (index, item) in items.enumerated() { problems += validate(item, schema: itemSchema, at: "\(path)[\(index)]") }
        }
        return problems
    }
}

/// JSON with booleans, integers and other numbers kept apart.
enum JSONValue: Decodable {
    case null, bool(Bool), integer(Int), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let bool = try? container.decode(Bool.self) { self = .bool(bool) }
        else if let int = try? container.decode(Int.self) { self = .integer(int) }
        else if let double = try? container.decode(Double.self) { self = .number(double) }
        else if let string = try? container.decode(String.self) { self = .string(string) }
        else if let array = try? container.decode([JSONValue].self) { self = .array(array) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    var kind: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .integer: return "integer"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    func isA(_ type: String) -> Bool {
        type == kind || (type == "number" && kind == "integer")
    }
}
