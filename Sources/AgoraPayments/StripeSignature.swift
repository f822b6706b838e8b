import Crypto
import Foundation

/// Stripe's webhook signature (`Stripe-Signature: t=<unix time>,v1=<hex>[,v1=…]`): an HMAC-SHA256
/// of `"<t>.<payload>"` with the endpoint's secret. Deliveries older than `tolerance` seconds are
/// refused, so a captured delivery cannot be replayed later.
public struct StripeSignature: Sendable {
    public static let tolerance: Int64 = 300

    let secret: [UInt8]

    public init(secret: String) {
        self.secret = Array(secret.utf8)
    }

    public func verify(payload: [UInt8], header: String?, now: Int64) throws {
        guard let header, !header.isEmpty else { throw PaymentError.badSignature("the Stripe-Signature header is missing") }
        var timestamp: Int64?
        var signatures: [String] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            if pair[0] == "t" { timestamp = Int64(pair[1]) }
            if pair[0] == "v1" { signatures.append(pair[1].lowercased()) }
        }
        guard let timestamp, !signatures.isEmpty else {
            throw PaymentError.badSignature("the Stripe-Signature header has no timestamp or no v1 signature")
        }
        guard abs(now - timestamp) <= Self.tolerance else {
            throw PaymentError.badSignature("the signature's timestamp is more than \(Self.tolerance) seconds from now")
        }
        let expected = sign(payload: payload, timestamp: timestamp)
        guard signatures.contains(where: { Self.constantTimeEqual($0, expected) }) else {
            throw PaymentError.badSignature("no signature matches the payload")
        }
    }

    /// The `v1` value for a payload sent at `timestamp` (what a test or a proxy signs with).
    public func sign(payload: [UInt8], timestamp: Int64) -> String {
        var message = Array("\(timestamp).".utf8)
        message.append(contentsOf: payload)
        return HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: secret)).map { String(format: "%02x", $0) }.joined()
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
