/// The rule for short texts people type that other people see (display names, checkout fields;
/// SPEC §6.11): no control characters, no bidirectional overrides or isolates (which can make a
/// name read backwards, or hide what follows it), and a length limit counted both in characters
/// and in bytes — at most four bytes per character, so combining marks cannot grow a "short"
/// name to megabytes.
public enum ShortText {
    public enum Problem: Sendable, Equatable {
        case empty
        case tooLong(limit: Int)
        case controlCharacter
        case bidirectionalControl
    }

    /// The first problem with `text`, or nil when it may be stored.
    public static func problem(_ text: String, limit: Int, required: Bool = true) -> Problem? {
        if text.isEmpty { return required ? .empty : nil }
        if text.count > limit || text.utf8.count > limit * 4 { return .tooLong(limit: limit) }
        for scalar in text.unicodeScalars {
            if isBidirectionalControl(scalar) { return .bidirectionalControl }
            if scalar.properties.generalCategory == .control { return .controlCharacter }
        }
        return nil
    }

    /// U+202A–U+202E (embeddings and overrides), U+2066–U+2069 (isolates), and the implicit
    /// marks U+200E, U+200F and U+061C.
    public static func isBidirectionalControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C: return true
        default: return false
        }
    }

    /// A sentence for a form: "Name must be at most 100 characters".
    public static func message(_ problem: Problem, label: String) -> String {
        switch problem {
        case .empty: return "\(label) is required"
        case .tooLong(let limit): return "\(label) must be at most \(limit) characters"
        case .controlCharacter: return "\(label) must be a single line of text"
        case .bidirectionalControl: return "\(label) must not contain text-direction control characters"
        }
    }
}
