import AgoraContent

/// What an order costs (SPEC §6.8): its lines, shipping to its country and tax, all in minor
/// units and all from the server's own cart and rules, never from the request.
public struct Charges: Sendable, Equatable {
    public let subtotal: Money
    public let shipping: Money
    /// The tax in the order: added to the total, or with `taxIncluded` the part the prices contain.
    public let tax: Money
    public let taxIncluded: Bool
    public let total: Money

    public init(subtotal: Money, shipping: Money, tax: Money, taxIncluded: Bool) {
        self.subtotal = subtotal
        self.shipping = shipping
        self.tax = tax
        self.taxIncluded = taxIncluded
        total = Money(minorUnits: subtotal.minorUnits + shipping.minorUnits + (taxIncluded ? 0 : tax.minorUnits))
    }

    /// Lines only: a shop without shipping and tax rules.
    public static func lines(_ subtotal: Money) -> Charges {
        Charges(subtotal: subtotal, shipping: .zero, tax: .zero, taxIncluded: false)
    }
}

/// The shop's shipping and tax rules, applied the same way by every backend.
public struct PricingRules: Sendable, Equatable {
    public let shipping: ShippingRules?
    public let tax: TaxRules?

    public static let none = PricingRules(shipping: nil, tax: nil)

    public init(shipping: ShippingRules?, tax: TaxRules?) {
        self.shipping = shipping
        self.tax = tax
    }

    /// The charges for `lines` shipped to `country`, or nil when no zone ships there (or the
    /// country is not an ISO code); the caller refuses the order. Tax is computed per line and rounded half to
    /// even, then summed; with prices that include tax it is the part `price × rate / (100 + rate)`.
    /// Shipping is the zone's flat rate, free at or above `free_over`; tax applies to products only.
    public func charges(_ lines: [CartLine], country: String) -> Charges? {
        let subtotal = lines.reduce(Money.zero) { $0 + $1.total }
        var shippingCost = Money.zero
        if let shipping {
            guard let zone = shipping.zone(for: country), Countries.name(country) != nil else { return nil }
            let free = shipping.freeOver.map { subtotal >= $0 } ?? false
            shippingCost = free ? .zero : zone.rate
        }
        var taxTotal: Int64 = 0
        if let tax, let rate = tax.rates[country], rate > 0 {
            for line in lines {
                let amount = line.total.minorUnits
                // rate is in hundredths of a percent: 23 % = 2300 of 10,000.
                taxTotal += tax.pricesIncludeTax
                    ? Self.roundHalfEven(amount * rate, 10_000 + rate)
                    : Self.roundHalfEven(amount * rate, 10_000)
            }
        }
        return Charges(subtotal: subtotal, shipping: shippingCost, tax: Money(minorUnits: taxTotal),
                       taxIncluded: tax?.pricesIncludeTax ?? false)
    }

    /// numerator / denominator rounded to the nearest integer, ties to the even one.
    static func roundHalfEven(_ numerator: Int64, _ denominator: Int64) -> Int64 {
        let quotient = numerator / denominator
        let remainder = numerator % denominator
        let twice = 2 * remainder
        if twice > denominator || (twice == denominator && quotient % 2 != 0) { return quotient + 1 }
        return quotient
    }
}

