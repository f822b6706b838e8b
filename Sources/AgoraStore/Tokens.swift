import Crypto
import Foundation

/// Random secrets and their stored form.
public enum Tokens {
    /// 256 random bits, base64url without padding: a session cookie value.
    public static func sessionSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Lower-case hex SHA-256: what the database keeps instead of a secret.
    /// Every logged-in request hashes its cookie, so this avoids `String(format:)`, which cost
    /// a sixth of a session read's CPU under load.
    public static func hash(_ secret: String) -> String {
        let digest = SHA256.hash(data: Array(secret.utf8))
        return String(unsafeUninitializedCapacity: SHA256.byteCount * 2) { buffer in
            var index = 0
            for byte in digest {
                buffer[index] = hexDigits[Int(byte >> 4)]
                buffer[index + 1] = hexDigits[Int(byte & 0x0f)]
                index += 2
            }
            return index
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}

/// Order numbers like `K7QD-93XM`: 40 random bits in Crockford's base 32 (no I, L, O or U, so
/// they read aloud and type back without confusion).
public enum OrderNumber {
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    public static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        let value = UInt64.random(in: 0..<(1 << 40), using: &generator)
        let characters = (0..<8).map { index in alphabet[Int((value >> (5 * UInt64(7 - index))) & 31)] }
        return String(characters[0..<4]) + "-" + String(characters[4..<8])
    }

    /// Accepts what a person might type: lower case, without the dash, O for 0, I/L for 1.
    public static func normalize(_ text: String) -> String? {
        var characters = text.uppercased().filter { $0 != "-" && $0 != " " }
        characters = String(characters.map { $0 == "O" ? "0" : ($0 == "I" || $0 == "L") ? "1" : $0 })
        guard characters.count == 8, characters.allSatisfy({ alphabet.contains($0) }) else { return nil }
        return String(characters.prefix(4)) + "-" + String(characters.suffix(4))
    }
}

/// The key in an order's link (`/orders/<number>/?key=<token>`, SPEC §6.9): an HMAC of the order
/// number with the shop's secret, so the link in a mail opens the order on any device and no
/// other number can be guessed from it.
public struct OrderLinks: Sendable {
    /// The HMAC key's bytes (SymmetricKey is not Sendable; it is made again per token).
    private let keyBytes: [UInt8]

    public init(secret: String) {
        keyBytes = Array(SHA256.hash(data: Array(secret.utf8)))
    }

    /// 128 bits of HMAC-SHA256, base64url.
    public func token(for number: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(number.utf8), using: SymmetricKey(data: keyBytes))
        return Data(Array(mac).prefix(16)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Whether `token` is the key of `number`, compared in constant time.
    public func verify(_ token: String, for number: String) -> Bool {
        let expected = Array(self.token(for: number).utf8)
        let given = Array(token.utf8)
        guard given.count == expected.count else { return false }
        return zip(given, expected).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// The order's page with its key, from the root: `/orders/K7QD-93XM/?key=…`.
    public func path(for number: String) -> String { "/orders/\(number)/?key=\(token(for: number))" }
}
