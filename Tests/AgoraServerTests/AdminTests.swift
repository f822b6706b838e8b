@testable import AgoraStore
import AgoraTestSupport
import Foundation
import Testing

@Suite struct AdminTests {
    /// Places an order as a new shopper and returns its number.
    func order(port: Int, sku: String = "GT-2", quantity: Int = 2, customer: [String: String] = TestShop.customer) async throws -> String {
        let shopper = Browser(port: port)
        try await shopper.json("POST", "/api/cart/items", ["sku": sku, "quantity": quantity])
        return try #require(try await shopper.json("POST", "/api/orders", customer).json["number"] as? String)
    }

    @Test func onlyAdminsGetIn() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            let number = try await order(port: port)
            let anonymous = HTTPClient(port: port)
            for path in ["/admin/orders/", "/admin/orders/\(number)/", "/admin/orders.csv"] {
                let reply = try await anonymous.send("GET", path)
                #expect(reply.status == 303, "\(path)")
                #expect(reply[header: "location"] == "/account/login/?next=\(path)")
            }
            #expect(try await anonymous.send("POST", "/admin/orders/\(number)/cancel").status == 303)
            let shopper = Browser(port: port)
            try await shopper.form("/account/register/", ["username": "bob", "email": "bob@example.com", "name": "Bob", "password": "12345678"])
            for path in ["/admin/orders/", "/admin/orders/\(number)/", "/admin/orders.csv"] {
                #expect(try await shopper.get(path).status == 403, "\(path)")
            }
            #expect(try await shopper.form("/admin/orders/\(number)/cancel", [:]).status == 403)
            #expect(try await shopper.send("POST", "/admin/reload").status == 403)
            #expect(try await shop.store.orders.order(number: number)?.status == .pending)

            let admin = try await shop.admin(port: port)
            let list = try await admin.get("/admin/orders/")
            #expect(list.status == 200)
            #expect(list.text.contains(number))
            let detail = try await admin.get("/admin/orders/\(number)/")
            #expect(detail.text.contains("Rua das Flores 1"))
            #expect(detail.text.contains("2</td>"))
            #expect(try await admin.get("/orders/\(number)/").status == 200)  // admins may open any thanks page
        }
    }

    @Test func markPaidAndCancelReturnsTheUnits() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            let paid = try await order(port: port, quantity: 2)
            let cancelled = try await order(port: port, quantity: 3)
            #expect(try await HTTPClient(port: port).send("GET", "/api/products/GT-2").json["stock"] as? Int == 0)
            let admin = try await shop.admin(port: port)
            let marked = try await admin.form("/admin/orders/\(paid)/mark-paid", [:])
            #expect(marked.status == 303)
            #expect(try await shop.store.orders.order(number: paid)?.status == .paid)
            #expect(try await admin.form("/admin/orders/\(paid)/mark-paid", [:]).status == 409)  // already paid
            #expect(try await admin.form("/admin/orders/\(cancelled)/cancel", [:]).status == 303)
            #expect(try await shop.store.orders.order(number: cancelled)?.status == .cancelled)
            #expect(try await HTTPClient(port: port).send("GET", "/api/products/GT-2").json["stock"] as? Int == 3)
            #expect(try await admin.form("/admin/orders/\(cancelled)/cancel", [:]).status == 409)  // no double return
            #expect(try await shop.store.carts.unitsSold()["GT-2"] == 2)
            #expect(try await admin.form("/admin/orders/\(paid)/cancel", [:]).status == 303)  // paid orders can be cancelled too
            #expect(try await shop.store.carts.unitsSold()["GT-2"] == 0)
        }
    }

    @Test func filtersAndPages() async throws {
        let clock = TestClock(1_798_761_600)  // 2027-01-01
        let shop = try TestShop(clock: clock)
        try await shop.run { port in
            var numbers: [String] = []
            for day in 0..<30 {
                numbers.append(try await order(port: port, sku: "GT-1", quantity: 1))
                if day < 29 { clock.advance(by: 86_400) }
            }
            let admin = try await shop.admin(port: port)
            _ = try await admin.form("/admin/orders/\(numbers[0])/mark-paid", [:])
            let first = try await admin.get("/admin/orders/")
            #expect(first.text.contains("30 orders"))
            #expect(first.text.contains(numbers[29]))   // newest first
            #expect(!first.text.contains(numbers[0]))   // on page 2 (25 per page)
            #expect(first.text.contains(#"href="/admin/orders/?page=2""#))
            #expect(try await admin.get("/admin/orders/?page=2").text.contains(numbers[0]))
            let paid = try await admin.get("/admin/orders/?status=paid")
            #expect(paid.text.contains("1 orders"))
            #expect(paid.text.contains(numbers[0]))
            let january = try await admin.get("/admin/orders/?from=2027-01-10&to=2027-01-12")
            #expect(january.text.contains("3 orders"))
            #expect(january.text.contains(numbers[9]) && january.text.contains(numbers[11]) && !january.text.contains(numbers[12]))
            #expect(try await admin.get("/admin/orders/?status=lost").status == 400)
            #expect(try await admin.get("/admin/orders/?from=yesterday").status == 400)
            let csv = try await admin.get("/admin/orders.csv?status=paid")
            #expect(csv.text.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 2)  // header + 1 order

            // Paid on the last day: "updated" follows the change, not the creation.
            let updated = try await admin.get("/admin/orders/?updated_from=2027-01-30&updated_to=2027-01-30")
            #expect(updated.text.contains("2 orders"))   // the last order (created that day) and the one paid
            #expect(updated.text.contains(numbers[0]) && updated.text.contains(numbers[29]) && !updated.text.contains(numbers[28]))
            #expect(updated.text.contains(#"name="updated_from" type="date" value="2027-01-30""#))
            #expect(try await admin.get("/admin/orders/?updated_to=soon").status == 400)
        }
    }

    /// Search by order number, customer name or email; the search survives paging and the CSV link.
    @Test func ordersAreFoundByNumberNameOrEmail() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            var bea = TestShop.customer
            bea["first_name"] = "Beatriz"
            bea["last_name"] = "Nunes"
            bea["email"] = "bea+shop@example.org"
            let anas = try await order(port: port)
            let beas = try await order(port: port, sku: "GT-1", quantity: 1, customer: bea)
            let admin = try await shop.admin(port: port)
            for (search, expected) in [(beas.lowercased(), beas), ("beatriz nunes", beas), ("BEA+SHOP", beas), ("silva", anas)] {
                let encoded = search.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? search
                let page = try await admin.get("/admin/orders/?q=\(encoded)")
                #expect(page.text.contains("1 orders"), "\(search)")
                #expect(page.text.contains(expected), "\(search)")
            }
            let page = try await admin.get("/admin/orders/?q=bea%2Bshop")
            #expect(page.text.contains(#"value="bea+shop""#))
            #expect(page.text.contains(#"href="/admin/orders.csv?q=bea%2Bshop""#))
            #expect(try await admin.get("/admin/orders.csv?q=bea%2Bshop").text.contains(beas))
            #expect(!(try await admin.get("/admin/orders.csv?q=bea%2Bshop").text.contains(anas)))
            #expect(try await admin.get("/admin/orders/?q=" + String(repeating: "x", count: 201)).status == 400)
        }
    }

    /// The activity stream for the owner (the original's ActionAdmin), filtered and paged.
    @Test func theActivityPageListsEveryActionByVerbAndActor() async throws {
        var files = TestShop.catalog
        files["people/bea.md"] = "---\nname: Bea Costa\n---\nBlends.\n"
        let shop = try TestShop(files)
        try await shop.run { port in
            let bob = Browser(port: port)
            try await bob.form("/account/register/", ["username": "bob", "email": "bob@example.com", "name": "Bob", "password": "12345678"])
            #expect(try await bob.get("/admin/actions/").status == 403)
            #expect(try await HTTPClient(port: port).send("GET", "/admin/actions/")[header: "location"] == "/account/login/?next=/admin/actions/")
            _ = try await bob.json("POST", "/api/follow", ["username": "ana", "action": "follow"])
            _ = try await bob.json("POST", "/api/likes", ["sku": "GT-1", "action": "like"])
            for index in 0..<55 {
                _ = try await shop.store.accountRules.create(username: "shopper\(index)", email: "s\(index)@example.com",
                                                             name: "Shopper \(index)", password: "12345678")
            }
            let admin = try await shop.admin(port: port)
            let first = try await admin.get("/admin/actions/")
            #expect(first.status == 200)
            #expect(first.text.contains("Shopper 54"))             // newest first
            #expect(!first.text.contains("Bob</a>"))                // 50 a page: bob's actions are older
            let older = try #require(first.text.range(of: #"href="/admin/actions/\?before=(\d+)""#, options: .regularExpression))
            let next = try await admin.get(String(first.text[older].dropFirst(6).dropLast()))
            #expect(next.text.contains(#"<a href="/admin/actions/?actor=bob">Bob</a>"#))
            #expect(next.text.contains("← Newest"))

            let follows = try await admin.get("/admin/actions/?verb=follows")
            #expect(follows.text.contains(#"<a href="/people/ana/">Ana Silva</a>"#))
            #expect(!follows.text.contains("Shopper"))
            #expect(follows.text.contains(#"<option value="follows" selected>"#))
            let bobs = try await admin.get("/admin/actions/?actor=bob")
            #expect(bobs.text.components(separatedBy: #"<tr data-verb="#).count == 4)  // joined, follows, likes
            #expect(bobs.text.contains(#"<a href="/products/sencha/">Sencha</a>"#))
            #expect(try await admin.get("/admin/actions/?verb=buried").status == 400)
            #expect(try await admin.get("/admin/actions/?before=-3").status == 400)
        }
    }

    @Test func csvIsRFC4180AndNeutralisesFormulas() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            var customer = TestShop.customer
            customer["first_name"] = "=HYPERLINK(\"http://evil.example\")"
            customer["last_name"] = "+SUM(A1)"
            customer["address"] = "Rua \"Nova\", 1"
            customer["city"] = "@Porto"
            customer["postal_code"] = "-4000"
            let number = try await order(port: port, customer: customer)
            let csv = try await shop.admin(port: port).get("/admin/orders.csv")
            #expect(csv.status == 200)
            #expect(csv[header: "content-type"]?.hasPrefix("text/csv") == true)
            #expect(csv[header: "content-disposition"] == "attachment; filename=\"orders.csv\"")
            let lines = csv.text.components(separatedBy: "\r\n")
            #expect(lines[0] == "number,status,created,first_name,last_name,email,address,postal_code,city,country,items,"
                + "subtotal,shipping,tax,tax_included,total,currency")
            let row = try #require(lines.first { $0.hasPrefix(number) })
            #expect(row.contains(#","'=HYPERLINK(""http://evil.example"")","#))
            #expect(row.contains(",'+SUM(A1),"))
            #expect(row.contains(#","Rua ""Nova"", 1","#))
            #expect(row.contains(",'-4000,'@Porto,,"))   // no country: this shop does not ship
            #expect(row.hasSuffix(",60.00,0.00,0.00,false,60.00,EUR"))
        }
    }
}

extension AdminTests {
    @Test func theOutboxPageListsOrderMail() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            let number = try await order(port: port)
            let shopper = Browser(port: port)
            try await shopper.form("/account/register/", ["username": "bob", "email": "bob@example.com", "name": "Bob", "password": "12345678"])
            #expect(try await shopper.get("/admin/outbox/").status == 403)
            #expect(try await HTTPClient(port: port).send("GET", "/admin/outbox/").status == 303)
            let page = try await shop.admin(port: port).get("/admin/outbox/")
            #expect(page.status == 200)
            #expect(page.text.contains(number))
            #expect(page.text.contains("ana@example.com"))
            #expect(page.text.contains("1 pending · 0 failed · 0 sent"))
        }
    }
}

@Suite struct OrderCSVTests {
    @Test func cells() {
        #expect(OrderCSV.cell("plain") == "plain")
        #expect(OrderCSV.cell("a,b") == "\"a,b\"")
        #expect(OrderCSV.cell("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(OrderCSV.cell("two\r\nlines") == "\"two\r\nlines\"")
        #expect(OrderCSV.cell("=1+2") == "'=1+2")
        #expect(OrderCSV.cell("\tx") == "'\tx")
        #expect(OrderCSV.cell("-") == "'-")
    }
}
