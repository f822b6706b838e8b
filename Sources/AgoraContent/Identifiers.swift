/// The shapes of keys that appear in URLs and on the server (SPEC §2).
public enum Identifier {
    /// `[a-z0-9-]{1,200}`: product, category and page slugs.
    public static func isSlug(_ text: String) -> Bool {
        (1...200).contains(text.utf8.count) && text.utf8.allSatisfy { isLowerAlnum($0) || $0 == UInt8(ascii: "-") }
    }

    /// `[A-Za-z0-9._-]{1,64}`: the product's stable key on the server.
    public static func isSKU(_ text: String) -> Bool {
        (1...64).contains(text.utf8.count) && text.utf8.allSatisfy {
            isLowerAlnum($0) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0)
                || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-")
        }
    }

    /// `[a-z0-9_-]{3,30}`: people and account usernames.
    public static func isUsername(_ text: String) -> Bool {
        (3...30).contains(text.utf8.count) && text.utf8.allSatisfy {
            isLowerAlnum($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-")
        }
    }

    /// The one email rule (SPEC §6.11), shared by registration, checkout and the mailer: an
    /// address that order mail can be sent to as it stands. One `@`, a non-empty local part, a
    /// dotted domain, at most 254 bytes, printable ASCII only, and none of the characters that
    /// would make it more than a bare address in a mail header (`<>(),;:\"[]` and spaces).
    public static func isEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), text.utf8.count <= 254,
              !parts[1].hasPrefix("."), !parts[1].hasSuffix("."), !parts[1].contains("..") else { return false }
        return text.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && !emailSpecials.contains($0) }
    }

    private static let emailSpecials = Set(#"<>(),;:\"[]"#.utf8)

    private static func isLowerAlnum(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
