import AgoraContent
import AgoraStore
import Foundation
import Testing

/// Shipping and tax (SPEC §6.8): exact amounts, tax per line rounded half to even.
@Suite struct ChargesTests {
    static let shipping = ShippingRules(freeOver: Money(decimal: "120.00"), zones: [
        .init(name: "Portugal", countries: ["PT"], rate: Money(minorUnits: 450)),
        .init(name: "Europe", countries: ["ES", "FR", "DE"], rate: Money(minorUnits: 900)),
        .init(name: "World", countries: ["*"], rate: Money(minorUnits: 1800)),
    ])

    static func line(_ sku: String, _ price: Int64, _ quantity: Int) -> CartLine {
        CartLine(sku: sku, name: sku, unitPrice: Money(minorUnits: price), quantity: quantity)
    }

    @Test func pricesThatIncludeTaxContainItAndAddNothing() throws {
        let rules = PricingRules(shipping: Self.shipping, tax: TaxRules(pricesIncludeTax: true, rates: ["PT": 2300, "ES": 2100]))
        // 32.00 × 23/123 = 5.98373… → 5.98; 2 × 14.50 = 29.00 × 23/123 = 5.42276… → 5.42.
        let charges = try #require(rules.charges([Self.line("CE-001", 3200, 1), Self.line("TC-001", 1450, 2)], country: "PT"))
        #expect(charges.subtotal == Money(minorUnits: 6100))
        #expect(charges.shipping == Money(minorUnits: 450))
        #expect(charges.tax == Money(minorUnits: 598 + 542))
        #expect(charges.taxIncluded)
        #expect(charges.total == Money(minorUnits: 6550))   // subtotal + shipping; the tax is inside
        // A country without a rate pays none.
        #expect(try #require(rules.charges([Self.line("CE-001", 3200, 1)], country: "US")).tax == .zero)
    }

    @Test func pricesWithoutTaxGetItAddedPerLineRoundedHalfToEven() throws {
        let rules = PricingRules(shipping: Self.shipping, tax: TaxRules(pricesIncludeTax: false, rates: ["ES": 2100, "DE": 1900]))
        // 12.50 × 21 % = 2.625 → 2.62 (half to even); 0.50 × 21 % = 0.105 → 0.10; 0.70 × 21 % = 0.147 → 0.15.
        let charges = try #require(rules.charges([Self.line("A", 1250, 1), Self.line("B", 50, 1), Self.line("C", 70, 1)], country: "ES"))
        #expect(charges.tax == Money(minorUnits: 262 + 10 + 15))
        #expect(charges.shipping == Money(minorUnits: 900))
        #expect(charges.total == Money(minorUnits: 1370 + 900 + 287))
        // 0.35 × 21 % = 0.0735 → 0.07; 0.50 × 19 % = 0.095 → 0.10 (9.5 rounds to the even 10).
        #expect(try #require(rules.charges([Self.line("D", 35, 1)], country: "ES")).tax == Money(minorUnits: 7))
        #expect(try #require(rules.charges([Self.line("E", 50, 1)], country: "DE")).tax == Money(minorUnits: 10))
        #expect(try #require(rules.charges([Self.line("F", 150, 1)], country: "DE")).tax == Money(minorUnits: 28))   // 28.5 → 28
    }

    @Test func eachZoneHasItsRateAndTheThresholdShipsFree() throws {
        let rules = PricingRules(shipping: Self.shipping, tax: nil)
        let small = [Self.line("A", 5000, 1)]
        #expect(try #require(rules.charges(small, country: "PT")).shipping == Money(minorUnits: 450))
        #expect(try #require(rules.charges(small, country: "FR")).shipping == Money(minorUnits: 900))
        #expect(try #require(rules.charges(small, country: "JP")).shipping == Money(minorUnits: 1800))   // "*"
        let atThreshold = [Self.line("A", 6000, 2)]   // 120.00: ships free
        #expect(try #require(rules.charges(atThreshold, country: "JP")).shipping == .zero)
        #expect(try #require(rules.charges([Self.line("A", 11999, 1)], country: "PT")).shipping == Money(minorUnits: 450))
        #expect(try #require(rules.charges(small, country: "PT")).total == Money(minorUnits: 5450))
    }

    @Test func aCountryNoZoneTakesIsRefused() {
        let europe = PricingRules(shipping: ShippingRules(freeOver: nil, zones: [.init(name: "EU", countries: ["PT", "ES"], rate: .zero)]),
                                  tax: nil)
        #expect(europe.charges([Self.line("A", 100, 1)], country: "US") == nil)
        #expect(PricingRules(shipping: Self.shipping, tax: nil).charges([Self.line("A", 100, 1)], country: "XX") == nil)
        #expect(europe.shipping?.countries.map(\.code) == ["PT", "ES"])   // by name: Portugal, Spain
    }

    @Test func withoutRulesAnOrderIsItsLines() throws {
        let charges = try #require(PricingRules.none.charges([Self.line("A", 1234, 3)], country: ""))
        #expect(charges == Charges.lines(Money(minorUnits: 3702)))
        #expect(charges.total == Money(minorUnits: 3702))
    }

    /// Both backends store and return what the order cost, part by part.
    @Test(arguments: Backend.allCases) func ordersKeepTheirCharges(_ backend: Backend) async throws {
        let store = try await backend.makeStore()
        let owner = CartOwner.session("ship")
        _ = try await store.carts.add(sencha, quantity: 2, replace: false, to: owner)
        var buyer = customer
        buyer.country = "ES"
        let rules = PricingRules(shipping: Self.shipping, tax: TaxRules(pricesIncludeTax: false, rates: ["ES": 2100]))
        let order = try await store.orders.placeOrder(for: owner, session: nil, customer: buyer, currency: "EUR",
                                                      catalog: { ["GT-1": sencha][$0] }, pricing: rules)
        // 2 × 12.50 = 25.00; tax 5.25; shipping 9.00.
        #expect(order.charges == Charges(subtotal: Money(minorUnits: 2500), shipping: Money(minorUnits: 900),
                                         tax: Money(minorUnits: 525), taxIncluded: false))
        #expect(order.total == Money(minorUnits: 3925))
        let read = try #require(try await store.orders.order(number: order.number))
        #expect(read.charges == order.charges)
        #expect(read.customer.country == "ES")

        _ = try await store.carts.add(sencha, quantity: 1, replace: false, to: owner)
        buyer.country = "XX"
        let refused = await failure {
            try await store.orders.placeOrder(for: owner, session: nil, customer: buyer, currency: "EUR",
                                              catalog: { ["GT-1": sencha][$0] }, pricing: rules)
        }
        #expect(refused as? ShopError == .cannotShip(country: "XX"))
        #expect(try await store.carts.cart(owner).count == 1)   // nothing half-written
    }
}
