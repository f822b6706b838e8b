import Yams

/// Shipping from `site.yml` (SPEC §6.8): zones of countries with a flat rate each, and an optional
/// subtotal at or above which shipping is free.
public struct ShippingRules: Codable, Sendable, Hashable {
    public struct Zone: Codable, Sendable, Hashable {
        public let name: String
        /// ISO 3166-1 alpha-2 codes, or `*` for every country no other zone names.
        public let countries: [String]
        public let rate: Money

        public init(name: String, countries: [String], rate: Money) {
            self.name = name
            self.countries = countries
            self.rate = rate
        }
    }

    public let freeOver: Money?
    public let zones: [Zone]

    enum CodingKeys: String, CodingKey {
        case freeOver = "free_over", zones
    }

    public init(freeOver: Money?, zones: [Zone]) {
        self.freeOver = freeOver
        self.zones = zones
    }

    /// The zone that ships to `country`: the one naming it, else the one with `*`.
    public func zone(for country: String) -> Zone? {
        zones.first { $0.countries.contains(country) } ?? zones.first { $0.countries.contains("*") }
    }

    /// The countries checkout offers, by name: every country when a zone has `*`.
    public var countries: [(code: String, name: String)] {
        if zones.contains(where: { $0.countries.contains("*") }) { return Countries.all.sorted { $0.name < $1.name } }
        let listed = Set(zones.flatMap(\.countries))
        return Countries.all.filter { listed.contains($0.code) }.sorted { $0.name < $1.name }
    }
}

/// Tax from `site.yml` (SPEC §6.8): a percentage per country, and whether shelf prices include it.
public struct TaxRules: Codable, Sendable, Hashable {
    public let pricesIncludeTax: Bool
    /// Hundredths of a percent by country: 23 % is 2300, 5.5 % is 550.
    public let rates: [String: Int64]

    enum CodingKeys: String, CodingKey {
        case pricesIncludeTax = "prices_include_tax", rates
    }

    public init(pricesIncludeTax: Bool, rates: [String: Int64]) {
        self.pricesIncludeTax = pricesIncludeTax
        self.rates = rates
    }
}

extension FieldReader {
    /// `shipping:` in site.yml, every problem reported with its line.
    mutating func shipping(log: inout IssueLog) -> ShippingRules? {
        guard let (node, line) = takeNode("shipping") else { return nil }
        guard let mapping = node.mapping else {
            log.add(file, line, "shipping", "expected free_over and zones under it")
            return nil
        }
        let before = log.issues.count
        var freeOver: Money?
        var zones: [ShippingRules.Zone] = []
        var claimed: [String: Int] = [:]
        for (keyNode, value) in mapping {
            let key = keyNode.scalar?.string ?? ""
            let keyLine = keyNode.mark?.line ?? line
            switch key {
            case "free_over":
                freeOver = Self.amount(value, line: keyLine, key: "shipping.free_over", file: file, log: &log)
            case "zones":
                guard let list = value.sequence, !list.isEmpty else {
                    log.add(file, keyLine, "shipping.zones", "expected a list of zones, each with name, countries and rate")
                    continue
                }
                for zone in list {
                    let zoneLine = zone.mark?.line ?? keyLine
                    guard let fields = zone.mapping else {
                        log.add(file, zoneLine, "shipping.zones", "each zone needs name, countries and rate")
                        continue
                    }
                    var name: String?
                    var countries: [String] = []
                    var rate: Money?
                    for (fieldKey, fieldValue) in fields {
                        let fieldLine = fieldKey.mark?.line ?? zoneLine
                        switch fieldKey.scalar?.string ?? "" {
                        case "name": name = fieldValue.scalar?.string
                        case "rate": rate = Self.amount(fieldValue, line: fieldLine, key: "shipping.zones.rate", file: file, log: &log)
                        case "countries":
                            for item in fieldValue.sequence ?? [] {
                                let code = item.scalar?.string ?? ""
                                if code != "*" && Countries.name(code) == nil {
                                    log.add(file, item.mark?.line ?? fieldLine, "shipping.zones.countries",
                                            "\(quoted(code)) is not an ISO 3166-1 country code such as PT or DE (or * for every other country)")
                                } else if let first = claimed[code] {
                                    log.add(file, item.mark?.line ?? fieldLine, "shipping.zones.countries",
                                            "\(quoted(code)) is already in the zone on line \(first)")
                                } else {
                                    claimed[code] = item.mark?.line ?? fieldLine
                                    countries.append(code)
                                }
                            }
                            if fieldValue.sequence == nil {
                                log.add(file, fieldLine, "shipping.zones.countries", "expected a list like [PT, ES]")
                            }
                        case let other:
                            log.add(file, fieldLine, "shipping.zones.\(other)", "unknown key; a zone has name, countries and rate")
                        }
                    }
                    if name?.isEmpty ?? true { log.add(file, zoneLine, "shipping.zones.name", "is required") }
                    if rate == nil, !fields.contains(where: { $0.key.scalar?.string == "rate" }) {
                        log.add(file, zoneLine, "shipping.zones.rate", "is required")
                    }
                    if let name, !name.isEmpty, let rate, !countries.isEmpty {
                        zones.append(.init(name: name, countries: countries, rate: rate))
                    } else if countries.isEmpty, fields.contains(where: { $0.key.scalar?.string == "countries" }) == false {
                        log.add(file, zoneLine, "shipping.zones.countries", "is required")
                    }
                }
            default:
                log.add(file, keyLine, "shipping.\(key)", "unknown key; shipping has free_over and zones")
            }
        }
        guard log.issues.count == before else { return nil }
        guard !zones.isEmpty else {
            log.add(file, line, "shipping.zones", "is required")
            return nil
        }
        return ShippingRules(freeOver: freeOver, zones: zones)
    }

    /// `tax:` in site.yml.
    mutating func tax(log: inout IssueLog) -> TaxRules? {
        guard let (node, line) = takeNode("tax") else { return nil }
        guard let mapping = node.mapping else {
            log.add(file, line, "tax", "expected prices_include_tax and rates under it")
            return nil
        }
        let before = log.issues.count
        var includes = false
        var rates: [String: Int64] = [:]
        for (keyNode, value) in mapping {
            let key = keyNode.scalar?.string ?? ""
            let keyLine = keyNode.mark?.line ?? line
            switch key {
            case "prices_include_tax":
                switch value.scalar?.string.lowercased() {
                case "true", "yes", "on": includes = true
                case "false", "no", "off": includes = false
                default: log.add(file, keyLine, "tax.prices_include_tax", "\(quoted(value.scalar?.string ?? "")) is not true or false")
                }
            case "rates":
                guard let entries = value.mapping else {
                    log.add(file, keyLine, "tax.rates", "expected a percentage per country, like PT: 23")
                    continue
                }
                for (countryNode, rateNode) in entries {
                    let code = countryNode.scalar?.string ?? ""
                    let rateLine = countryNode.mark?.line ?? keyLine
                    guard Countries.name(code) != nil else {
                        log.add(file, rateLine, "tax.rates", "\(quoted(code)) is not an ISO 3166-1 country code such as PT or DE")
                        continue
                    }
                    guard let percent = rateNode.scalar.flatMap({ Money(decimal: $0.string) }), percent.minorUnits <= 10_000 else {
                        log.add(file, rateLine, "tax.rates.\(code)",
                                "\(quoted(rateNode.scalar?.string ?? "")) is not a percentage from 0 to 100 with at most 2 decimals")
                        continue
                    }
                    rates[code] = percent.minorUnits
                }
            default:
                log.add(file, keyLine, "tax.\(key)", "unknown key; tax has prices_include_tax and rates")
            }
        }
        guard log.issues.count == before else { return nil }
        return TaxRules(pricesIncludeTax: includes, rates: rates)
    }

    private static func amount(_ node: Node, line: Int, key: String, file: String, log: inout IssueLog) -> Money? {
        guard let text = node.scalar?.string, let money = Money(decimal: text) else {
            log.add(file, line, key, "\(quoted(node.scalar?.string ?? "")) is not an amount like 4.50")
            return nil
        }
        return money
    }
}
