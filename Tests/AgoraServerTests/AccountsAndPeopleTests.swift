import AgoraStore
import AgoraTestSupport
import Foundation
import Testing

/// An account becomes a maker's profile only through the owner (SPEC §6.11).
@Suite struct AccountsAndPeopleTests {
    @Test func aShopperWhoseUsernameLaterNamesAProfileStaysAShopper() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            let hana = Browser(port: port)
            #expect(try await hana.form("/account/register/", ["username": "hana", "email": "hana@example.com", "name": "Hana Shopper",
                                                                "password": "12345678"]).status == 303)
            #expect(try await hana.json("POST", "/api/likes", ["sku": "GT-2", "action": "like"]).status == 200)

            // The owner adds a maker with the same username, and a product of hers.
            var files = TestShop.catalog
            files["people/hana.md"] = "---\nname: Hana Maker\n---\nThrows bowls.\n"
            files["products/bowl.md"] = "---\nname: Tea Bowl\nsku: TB-1\ncategory: tea\nprice: 20\nstock: 3\nmaker: hana\ndate: 2026-04-01\n---\nRound.\n"
            try shop.rebuild(files)
            #expect(try await shop.admin(port: port).send("POST", "/admin/reload").status == 200)
            #expect(try await shop.store.accounts.profileConflicts(people: ["hana", "ana"]).map(\.username) == ["hana"])

            let reader = Browser(port: port)
            try await reader.form("/account/register/", ["username": "reader", "email": "r@example.com", "name": "Reader",
                                                         "password": "12345678"])
            func actors() async throws -> [String: [String: Any]] {
                let items = try #require(try await reader.get("/api/feed?limit=50").json["items"] as? [[String: Any]])
                var byVerb: [String: [String: Any]] = [:]
                for item in items where (item["actor"] as? [String: Any])?["username"] as? String == "hana" {
                    byVerb[item["verb"] as? String ?? ""] = item["actor"] as? [String: Any]
                }
                return byVerb
            }
            var seen = try await actors()
            #expect(seen["likes"]?["name"] as? String == "Hana Shopper")
            #expect(seen["likes"]?["url"] is NSNull)
            // The maker's own product is still hers.
            #expect(seen["published"]?["name"] as? String == "Hana Maker")
            #expect(seen["published"]?["url"] as? String == "/people/hana/")
            let atom = try await reader.get("/people/hana/activity.atom").text
            #expect(atom.contains("Tea Bowl"))
            #expect(!atom.contains("Gyokuro"))

            // The owner says the account is hers: from now on it is the maker.
            try await shop.store.accounts.setLinkedToProfile("hana", true)
            seen = try await actors()
            #expect(seen["likes"]?["name"] as? String == "Hana Maker")
            #expect(seen["likes"]?["url"] as? String == "/people/hana/")
            #expect(try await reader.get("/people/hana/activity.atom").text.contains("Gyokuro"))
        }
    }
}
