/// An amount of money in integer minor units (cents): the only money type in Agora.
///
/// Prices are parsed from their decimal text, never through a binary float, so `19.99` is
/// exactly 1999 everywhere from the content file to the order total.
public struct Money: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var minorUnits: Int64

    public init(minorUnits: Int64) {
        self.minorUnits = minorUnits
    }

    /// Parses `12`, `12.5`, `12.50`; refuses signs, exponents, more than two decimals and
    /// amounts above a trillion.
    public init?(decimal text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !whole.isEmpty, whole.count <= 12,
              whole.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        var fraction = parts.count == 2 ? String(parts[1]) : ""
        guard fraction.count <= 2, fraction.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        if parts.count == 2, fraction.isEmpty { return nil }
        while fraction.count < 2 { fraction += "0" }
        guard let units = Int64(whole), let cents = Int64(fraction) else { return nil }
        self.minorUnits = units * 100 + cents
    }

    /// The decimal text with exactly two decimals, e.g. `12.50`.
    public var isZero: Bool { minorUnits == 0 }

    public var decimalString: String {
        let sign = minorUnits < 0 ? "-" : ""
        let magnitude = minorUnits.magnitude
        let cents = magnitude % 100
        return "\(sign)\(magnitude / 100).\(cents < 10 ? "0" : "")\(cents)"
    }

    public var description: String { decimalString }

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.minorUnits < rhs.minorUnits }
    public static func + (lhs: Money, rhs: Money) -> Money { Money(minorUnits: lhs.minorUnits + rhs.minorUnits) }
    public static func * (lhs: Money, rhs: Int) -> Money { Money(minorUnits: lhs.minorUnits * Int64(rhs)) }
    public static let zero = Money(minorUnits: 0)
}
