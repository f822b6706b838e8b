import Testing
@testable import AgoraContent

@Suite struct MoneyTests {
    @Test(arguments: [("12", 1200), ("12.5", 1250), ("12.50", 1250), ("0", 0), ("0.01", 1), ("19.99", 1999),
                      ("1000000", 100_000_000)])
    func parsesExactDecimals(text: String, minor: Int64) {
        #expect(Money(decimal: text)?.minorUnits == minor)
    }

    @Test(arguments: ["12.5x", "-1", "1.234", "", ".5", "5.", "1e3", "12,50", " 12", "0x10", "+3", "1.2.3", "١٢"])
    func refusesAnythingElse(text: String) {
        #expect(Money(decimal: text) == nil)
    }

    @Test func formatsWithTwoDecimals() {
        #expect(Money(minorUnits: 1250).decimalString == "12.50")
        #expect(Money(minorUnits: 5).decimalString == "0.05")
        #expect(Money(minorUnits: 100).decimalString == "1.00")
        #expect(Money(minorUnits: -250).decimalString == "-2.50")
    }

    @Test func sumsExactly() {
        // 0.1 + 0.2 in binary floating point is 0.30000000000000004; in minor units it is exact.
        let total = Money(decimal: "0.10")! + Money(decimal: "0.20")!
        #expect(total.decimalString == "0.30")
        #expect((Money(decimal: "19.99")! * 3).decimalString == "59.97")
    }
}

@Suite struct IdentifierTests {
    @Test func slugs() {
        #expect(Identifier.isSlug("green-tea-2"))
        #expect(!Identifier.isSlug("Green-Tea"))
        #expect(!Identifier.isSlug("green_tea"))
        #expect(!Identifier.isSlug(""))
        #expect(!Identifier.isSlug(String(repeating: "a", count: 201)))
        #expect(!Identifier.isSlug("../etc"))
    }

    @Test func skus() {
        #expect(Identifier.isSKU("GT-1.a_b"))
        #expect(!Identifier.isSKU("GT 1"))
        #expect(!Identifier.isSKU("GT/1"))
        #expect(!Identifier.isSKU(String(repeating: "A", count: 65)))
    }

    @Test func usernames() {
        #expect(Identifier.isUsername("ana_b-2"))
        #expect(!Identifier.isUsername("an"))
        #expect(!Identifier.isUsername("Ana"))
        #expect(!Identifier.isUsername(String(repeating: "a", count: 31)))
    }

    @Test func emails() {
        #expect(Identifier.isEmail("shop@agora.example"))
        #expect(!Identifier.isEmail("shop@localhost"))
        #expect(!Identifier.isEmail("a b@x.example"))
        #expect(!Identifier.isEmail("a@x.example\r\nBcc: evil@x.example"))
    }
}

@Suite struct CalendarDateTests {
    @Test func validatesRealDays() {
        #expect(CalendarDate.isValid("2026-01-02"))
        #expect(CalendarDate.isValid("2024-02-29"))
        #expect(!CalendarDate.isValid("2026-02-29"))
        #expect(!CalendarDate.isValid("2026-13-01"))
        #expect(!CalendarDate.isValid("2026-1-2"))
        #expect(!CalendarDate.isValid("yesterday"))
    }

    @Test func convertsTimestampsToUTCDays() {
        #expect(CalendarDate.string(from: .init(timeIntervalSince1970: 0)) == "1970-01-01")
        #expect(CalendarDate.string(from: .init(timeIntervalSince1970: 1_767_312_000)) == "2026-01-02")
        #expect(CalendarDate.string(from: .init(timeIntervalSince1970: 951_825_600)) == "2000-02-29")
    }
}
