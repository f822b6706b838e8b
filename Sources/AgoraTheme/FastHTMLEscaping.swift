import Mustache

/// HTML escaping for `{{name}}`, over UTF-8 bytes (`Escaping.html`). swift-mustache's own
/// escaping looks every `Character` up in a dictionary (grapheme breaking and hashing for each
/// one) and was a quarter of all rendering time in a cold build. The same five characters are
/// replaced, so a page is byte for byte what it was; one difference is deliberate: a `<` followed
/// by a combining mark is one `Character` to Swift, which swift-mustache leaves unescaped.
struct FastHTMLContentType: MustacheContentType {
    /// The name the theme's templates select it by (see `Theme.contentTypePragma`).
    static let name = "AGORA_HTML"

    /// Registered once, before the first template that names it is parsed.
    static let registered: Void = MustacheContentTypes.register(FastHTMLContentType(), named: name)

    func escapeText(_ text: String) -> String {
        Escaping.html(text)
    }
}
