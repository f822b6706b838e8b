import Foundation

/// `content/site.yml` (SPEC §2).
public struct SiteConfig: Hashable, Sendable {
    public let title: String
    /// Absolute http(s) URL, always ending in `/`.
    public let baseURL: String
    public let currency: String
    public let currencySymbol: String
    public let theme: String
    public let productsPerPage: Int
    public let mailFrom: String
    public let language: String
    public let params: [String: ParamValue]
    /// Shipping zones and rates (SPEC §6.8); nil: orders ship for nothing and ask no country.
    public let shipping: ShippingRules?
    /// Tax rates by country; nil: no tax.
    public let tax: TaxRules?
    /// Where the `new_order` mail goes (SPEC §6.9); nil: the owner gets none.
    public let ownerEmail: String?

    public init(title: String, baseURL: String, currency: String = "USD", currencySymbol: String = "$",
                theme: String = "default", productsPerPage: Int = 24, mailFrom: String? = nil,
                language: String = "en", params: [String: ParamValue] = [:], shipping: ShippingRules? = nil,
                tax: TaxRules? = nil, ownerEmail: String? = nil) {
        self.ownerEmail = ownerEmail
        self.shipping = shipping
        self.tax = tax
        self.title = title
        self.baseURL = baseURL.hasSuffix("/") ? baseURL : baseURL + "/"
        self.currency = currency
        self.currencySymbol = currencySymbol
        self.theme = theme
        self.productsPerPage = productsPerPage
        self.mailFrom = mailFrom ?? "shop@" + (URLComponents(string: baseURL)?.host ?? "localhost")
        self.language = language
        self.params = params
    }

    /// `base_url` joined with a root-relative path: `/products/tea/` → `https://shop.example/products/tea/`.
    public func absoluteURL(_ path: String) -> String {
        baseURL + (path.hasPrefix("/") ? String(path.dropFirst()) : path)
    }

    /// Reads site.yml, reporting every problem.
    static func parse(_ text: String, file: String, log: inout IssueLog) -> SiteConfig? {
        var warnings: [ContentIssue] = []
        return parse(text, file: file, log: &log, warnings: &warnings)
    }

    /// The same, adding a warning for each key that looks like a typo of a known one.
    static func parse(_ text: String, file: String, log: inout IssueLog, warnings: inout [ContentIssue]) -> SiteConfig? {
        guard var fields = FieldReader.parse(yaml: text, lineOffset: 0, file: file, log: &log) else { return nil }
        let before = log.issues.count
        let title = fields.string("title", required: true, log: &log)
        let baseURL = fields.string("base_url", required: true, log: &log)
        if let baseURL, !isAbsoluteHTTPURL(baseURL) {
            log.add(file, fields.line(of: "base_url"), "base_url", "\(quoted(baseURL)) is not an absolute http(s) URL")
        }
        let currency = fields.string("currency", log: &log) ?? "USD"
        if currency.count != 3 || !currency.allSatisfy({ $0.isASCII && $0.isUppercase }) {
            log.add(file, fields.line(of: "currency"), "currency", "\(quoted(currency)) is not an ISO 4217 code such as USD or EUR")
        }
        let symbol = fields.string("currency_symbol", maxLength: 8, log: &log) ?? "$"
        let theme = fields.string("theme", log: &log) ?? "default"
        if theme.isEmpty || theme.hasPrefix(".") || theme.contains("/") {
            log.add(file, fields.line(of: "theme"), "theme", "\(quoted(theme)) is not a folder name under themes/")
        }
        let perPage = fields.int("products_per_page", in: 1...500, log: &log) ?? 24
        let mailFrom = fields.string("mail_from", log: &log)
        if let mailFrom, !Identifier.isEmail(mailFrom) {
            log.add(file, fields.line(of: "mail_from"), "mail_from", "\(quoted(mailFrom)) is not an email address")
        }
        let language = fields.string("language", log: &log) ?? "en"
        if !isLanguageTag(language) {
            log.add(file, fields.line(of: "language"), "language", "\(quoted(language)) is not a language tag such as en or pt-BR")
        }
        let ownerEmail = fields.string("owner_email", log: &log)
        if let ownerEmail, !Identifier.isEmail(ownerEmail) {
            log.add(file, fields.line(of: "owner_email"), "owner_email", "\(quoted(ownerEmail)) is not an email address")
        }
        let shipping = fields.shipping(log: &log)
        let tax = fields.tax(log: &log)
        guard log.issues.count == before, let title, let baseURL else { return nil }
        let params = fields.params()
        warnings += fields.unknownKeyWarnings()
        return SiteConfig(title: title, baseURL: baseURL, currency: currency, currencySymbol: symbol, theme: theme,
                          productsPerPage: perPage, mailFrom: mailFrom, language: language, params: params,
                          shipping: shipping, tax: tax, ownerEmail: ownerEmail)
    }

    static func isAbsoluteHTTPURL(_ text: String) -> Bool {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty else { return false }
        return true
    }

    private static func isLanguageTag(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard let primary = parts.first, (2...3).contains(primary.count), primary.allSatisfy({ $0.isASCII && $0.isLetter }) else {
            return false
        }
        return parts.dropFirst().allSatisfy { (1...8).contains($0.count) && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } }
    }
}

extension SiteConfig {
    /// The site's configuration from `<content>/site.yml`, or nil when it is missing or invalid
    /// (for commands that only need a setting, such as the theme's name; `check` reports why).
    public static func read(contentDirectory: URL) -> SiteConfig? {
        var log = IssueLog()
        guard let data = try? Data(contentsOf: contentDirectory.appendingPathComponent("site.yml")),
              let text = SourceText.decode(data, file: "site.yml", log: &log) else { return nil }
        return parse(text, file: "site.yml", log: &log)
    }
}
