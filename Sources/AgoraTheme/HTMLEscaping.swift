/// Escaping for text that Agora writes itself outside templates (XML feeds, JSON-LD in pages).
public enum Escaping {
    /// Escapes `& < > " '` for HTML and XML text and attribute values.
    public static func xml(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default:
                // Control characters other than tab and newline are not allowed in XML 1.0.
                if character.value < 0x20, character != "\t", character != "\n" { continue }
                result.unicodeScalars.append(character)
            }
        }
        return result
    }
}
