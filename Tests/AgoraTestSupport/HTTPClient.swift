import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A deliberately plain HTTP/1.1 client for tests: one connection per request, nothing
/// followed or cached, every header visible. Each request runs on its own thread, so many can
/// be in flight without tying up the threads that run the server under test.
public struct HTTPClient: Sendable {
    public let port: Int
    public let host: String

    public init(port: Int, host: String = "127.0.0.1") {
        self.port = port
        self.host = host
    }

    public func send(_ method: String, _ path: String, headers: [String: String] = [:], body: Data? = nil,
                     timeout: TimeInterval = 30) async throws -> HTTPReply {
        try await Self.onOwnThread { try sendBlocking(method, path, headers: headers, body: body, timeout: timeout) }
    }

    /// Raw request bytes, written as far as the server reads them (it may answer and close
    /// before it has read them all, as it does to an oversized body), then its whole answer.
    public func sendRaw(_ request: Data, timeout: TimeInterval = 30) async throws -> HTTPReply {
        try await Self.onOwnThread {
            let socket = try Self.connect(host: host, port: port, timeout: timeout)
            defer { close(socket) }
            try? Self.writeAll(socket, request)
            return try HTTPReply.parse(Self.readAll(socket))
        }
    }

    /// Blocking socket calls stay off the cooperative pool: on a two-core machine it has two
    /// threads, and an in-process server under test needs them to answer.
    private static func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                do {
                    continuation.resume(returning: try work())
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            thread.start()
        }
    }

    /// The same, on the calling thread.
    public func sendBlocking(_ method: String, _ path: String, headers: [String: String] = [:], body: Data? = nil,
                             timeout: TimeInterval = 30) throws -> HTTPReply {
        let socket = try Self.connect(host: host, port: port, timeout: timeout)
        defer { close(socket) }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\n"
        var allHeaders = headers
        if let body, allHeaders.keys.first(where: { $0.lowercased() == "content-length" }) == nil {
            allHeaders["Content-Length"] = String(body.count)
        }
        for (name, value) in allHeaders.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        var request = Data(head.utf8)
        if let body { request.append(body) }
        try Self.writeAll(socket, request)
        return try HTTPReply.parse(Self.readAll(socket))
    }

    /// A port of 127.0.0.1 nothing listens on right now, for a server a test starts.
    public static func freePort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        guard bound else { throw HTTPClientError.malformed }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    public static func connect(host: String, port: Int, timeout: TimeInterval) throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw HTTPClientError.connect(errno) }
        var time = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr(host == "localhost" ? "127.0.0.1" : host)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let code = errno
            close(descriptor)
            throw HTTPClientError.connect(code)
        }
        return descriptor
    }

    public static func writeAll(_ socket: Int32, _ data: Data) throws {
        try data.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.send(socket, base + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                if written < 0 {
                    if errno == EINTR { continue }
                    throw HTTPClientError.io(errno)
                }
                offset += written
            }
        }
    }

    public static func readAll(_ socket: Int32) throws -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = recv(socket, &buffer, buffer.count, 0)
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                if data.isEmpty { throw HTTPClientError.io(errno) }
                break  // a reset after a complete answer (the server closed early)
            }
            data.append(buffer, count: count)
        }
        return data
    }
}

public enum HTTPClientError: Error {
    case connect(Int32)
    case io(Int32)
    case malformed
}

/// A response: status, headers (names lower-cased; repeated ones joined by "\n"), body.
public struct HTTPReply: Sendable {
    public let status: Int
    public let headers: [String: String]
    public let body: Data

    public init(status: Int, headers: [String: String], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public var text: String { String(decoding: body, as: UTF8.self) }

    public subscript(header name: String) -> String? { headers[name.lowercased()] }

    /// The body as a JSON object.
    public var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
    }

    public var jsonValue: Any? { try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) }

    /// `Set-Cookie` lines.
    public var setCookies: [String] { headers["set-cookie"]?.split(separator: "\n").map(String.init) ?? [] }

    public static func parse(_ data: Data) throws -> HTTPReply {
        guard let split = data.range(of: Data("\r\n\r\n".utf8)) else { throw HTTPClientError.malformed }
        let head = String(decoding: data[..<split.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        guard let statusLine = head.first, statusLine.split(separator: " ").count >= 2,
              let status = Int(statusLine.split(separator: " ")[1]) else { throw HTTPClientError.malformed }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers[name] = headers[name].map { $0 + "\n" + value } ?? value
        }
        var body = Data(data[split.upperBound...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" { body = try dechunk(body) }
        return HTTPReply(status: status, headers: headers, body: body)
    }

    private static func dechunk(_ data: Data) throws -> Data {
        var result = Data()
        var index = data.startIndex
        while index < data.endIndex {
            guard let lineEnd = data[index...].range(of: Data("\r\n".utf8)) else { throw HTTPClientError.malformed }
            let sizeText = String(decoding: data[index..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else { throw HTTPClientError.malformed }
            if size == 0 { break }
            let start = lineEnd.upperBound
            guard start + size <= data.endIndex else { throw HTTPClientError.malformed }
            result.append(data[start..<(start + size)])
            index = start + size + 2
        }
        return result
    }
}

/// A client that keeps cookies like a browser and, like one, says its requests are same-origin.
public final class Browser: @unchecked Sendable {
    public let client: HTTPClient
    private let lock = NSLock()
    private var cookies: [String: String] = [:]

    public init(port: Int) {
        client = HTTPClient(port: port)
    }

    public var cookie: String? {
        lock.lock()
        defer { lock.unlock() }
        return cookies["agora_session"]
    }

    public func setCookie(_ name: String, _ value: String) {
        lock.lock()
        cookies[name] = value
        lock.unlock()
    }

    @discardableResult
    public func send(_ method: String, _ path: String, headers: [String: String] = [:], body: Data? = nil) async throws -> HTTPReply {
        var all = ["Sec-Fetch-Site": "same-origin"]
        if let header = cookieHeader() { all["Cookie"] = header }
        all.merge(headers) { _, new in new }
        let reply = try await client.send(method, path, headers: all, body: body)
        remember(reply.setCookies)
        return reply
    }

    public func get(_ path: String) async throws -> HTTPReply { try await send("GET", path) }

    private func cookieHeader() -> String? {
        lock.lock()
        defer { lock.unlock() }
        guard !cookies.isEmpty else { return nil }
        return cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
    }

    private func remember(_ lines: [String]) {
        lock.lock()
        defer { lock.unlock() }
        for line in lines {
            let pair = line.split(separator: ";").first ?? ""
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { cookies[String(parts[0]).trimmingCharacters(in: .whitespaces)] = String(parts[1]) }
        }
    }

    /// A form POST, as a browser submits one.
    public func form(_ path: String, _ fields: [String: String]) async throws -> HTTPReply {
        let body = fields.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.formEncode($0.value))" }.joined(separator: "&")
        return try await send("POST", path, headers: ["Content-Type": "application/x-www-form-urlencoded"], body: Data(body.utf8))
    }

    /// A JSON request, as the theme script sends one.
    public func json(_ method: String, _ path: String, _ object: Any, headers: [String: String] = [:]) async throws -> HTTPReply {
        let body = try JSONSerialization.data(withJSONObject: object)
        return try await send(method, path, headers: ["Content-Type": "application/json"].merging(headers) { _, new in new }, body: body)
    }

    static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._*")
        return (text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text).replacingOccurrences(of: "%20", with: "+")
    }
}
