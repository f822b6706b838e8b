import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// localstripe (PyPI), a Stripe-compatible server that keeps state, serves a fake Stripe.js at
/// `/js.stripe.com/v3/` and sends signed webhooks: started once per test process on a free port
/// of 127.0.0.1 and stopped by a watcher when the process ends (however it ends).
public enum TestLocalstripe {
    public struct Server: Sendable {
        public let port: Int
        public var url: String { "http://127.0.0.1:\(port)" }
        public var scriptURL: String { url + "/js.stripe.com/v3/" }
        public static let secretKey = "sk_test_agora"
        public static let publishableKey = "pk_test_agora"

        /// Sends the events of every payment to `url`, signed with `secret`. Each test registers its
        /// own id and secret; deliveries meant for another test fail its signature check there.
        public func registerWebhook(id: String, url: String, secret: String) async throws {
            try await post("/_config/webhooks/\(id)", ["url": url, "secret": secret], key: nil)
        }

        /// What Stripe.js does in the browser: a card token (`tok_…`) for a test card number.
        public func cardToken(_ number: String) async throws -> String {
            let answer = try await post("/v1/tokens", ["card[number]": number, "card[exp_month]": "12", "card[exp_year]": "2030",
                                                       "card[cvc]": "123", "key": Self.publishableKey], key: nil)
            guard let id = answer["id"] as? String else { throw TestLocalstripeError.unexpected("\(answer)") }
            return id
        }

        /// A PaymentIntent as localstripe keeps it.
        public func intent(_ id: String) async throws -> [String: Any] {
            try await request("GET", "/v1/payment_intents/\(id)", [:], key: Self.secretKey)
        }

        /// What Stripe.js's 3-D Secure dialog does when the customer completes (or fails) it.
        public func authenticate(_ id: String, clientSecret: String, success: Bool) async throws {
            try await post("/v1/payment_intents/\(id)/_authenticate?success=\(success)",
                           ["client_secret": clientSecret, "key": Self.publishableKey], key: nil)
        }

        @discardableResult
        func post(_ path: String, _ fields: [String: String], key: String?) async throws -> [String: Any] {
            try await request("POST", path, fields, key: key)
        }

        func request(_ method: String, _ path: String, _ fields: [String: String], key: String?) async throws -> [String: Any] {
            var request = URLRequest(url: URL(string: url + path)!)
            request.httpMethod = method
            if let key { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
            if method == "POST" {
                request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
                request.httpBody = Data(fields.map { "\(Self.escape($0.key))=\(Self.escape($0.value))" }.joined(separator: "&").utf8)
            }
            let (data, _) = try await URLSession.shared.data(for: request)
            return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        }

        static func escape(_ text: String) -> String {
            text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
        }
    }

    /// The server, started on first use.
    public static func server() throws -> Server {
        try shared.get()
    }

    private static let shared = Result { try start() }

    static func start() throws -> Server {
        let port = try HTTPClient.freePort()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("agora-localstripe-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // The watcher outlives this process by at most a few seconds. It ends localstripe with
        // SIGKILL if SIGTERM does not: a child inherits the blocked-signal mask of the thread that
        // spawned it, which here can block SIGTERM, and Python does not unblock it (localstripe
        // servers were found running hours after their tests, SIGTERM pending).
        let watcher = """
            cd '\(folder)' && python3 -m localstripe --port \(port) --from-scratch >'\(folder)/localstripe.log' 2>&1 & server=$!
            while [ -d /proc/\(getpid()) ] && kill -0 $server 2>/dev/null; do sleep 1; done
            kill $server 2>/dev/null
            for _ in 1 2 3 4 5; do kill -0 $server 2>/dev/null || break; sleep 1; done
            kill -9 $server 2>/dev/null; wait $server; rm -rf '\(folder)'
            """
        _ = try ChildProcess("/bin/sh", ["-c", watcher])
        for _ in 0..<200 {
            if let socket = try? HTTPClient.connect(host: "127.0.0.1", port: port, timeout: 0.2) {
                close(socket)
                return Server(port: port)
            }
            usleep(100_000)
        }
        let log = (try? String(contentsOfFile: folder + "/localstripe.log", encoding: .utf8)) ?? ""
        throw TestLocalstripeError.didNotStart(log)
    }
}

public enum TestLocalstripeError: Error {
    case didNotStart(String)
    case unexpected(String)
}
