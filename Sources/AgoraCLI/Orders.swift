import AgoraStore
import ArgumentParser
import Foundation

struct Orders: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, inspect, mark paid, cancel and export orders.",
        subcommands: [List.self, Show.self, MarkPaid.self, Cancel.self, Export.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List orders, newest first.",
            usage: "agora orders list [--status STATUS] [--json] [--site DIR] [--db DB]"
        )

        @Option(name: .long, help: "Only orders with this status: pending, paid or cancelled.")
        var status: String?

        @Flag(name: .long, help: "Print JSON instead of a table.")
        var json = false

        @OptionGroup var database: DatabaseLocation

        func run() async throws {
            var filter = OrderFilter()
            if let status {
                guard let value = Order.Status(rawValue: status) else { throw exitWithError("unknown status \(status)") }
                filter.status = value
            }
            let (orders, _) = try await database.open().orders.list(filter, page: 1, perPage: Int.max / 2)
            if json {
                print(try OrderJSONLines.document(orders))
            } else {
                print(Table.render(header: ["number", "status", "created", "customer", "items", "total"], rows: orders.map {
                    [$0.number, $0.status.rawValue, Orders.day($0.createdAt), "\($0.customer.firstName) \($0.customer.lastName)",
                     String($0.items.reduce(0) { $0 + $1.quantity }), "\($0.total.decimalString) \($0.currency)"]
                }))
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an order with its items.")

        @Argument var number: String
        @OptionGroup var database: DatabaseLocation

        func run() async throws {
            let order = try await Orders.find(number, in: try await database.open().orders)
            print("Order \(order.number) · \(order.status.rawValue) · \(Orders.day(order.createdAt))")
            print("\(order.customer.firstName) \(order.customer.lastName) <\(order.customer.email)>")
            print("\(order.customer.address), \(order.customer.postalCode) \(order.customer.city)")
            print("")
            print(Table.render(header: ["sku", "name", "quantity", "price", "total"], rows: order.items.map {
                [$0.sku, $0.name, String($0.quantity), $0.unitPrice.decimalString, $0.total.decimalString]
            }))
            print("Total: \(order.total.decimalString) \(order.currency)")
        }
    }

    struct MarkPaid: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "mark-paid", abstract: "Mark a pending order paid.")

        @Argument var number: String
        @OptionGroup var database: DatabaseLocation

        func run() async throws {
            let store = try await database.open().orders
            do {
                print("Order \(try await store.markPaid(try await Orders.find(number, in: store).number).number) is paid.")
            } catch let error as OrderAdminError {
                throw exitWithError(error.description)
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel an order; its units go back on sale.")

        @Argument var number: String
        @OptionGroup var database: DatabaseLocation

        func run() async throws {
            let store = try await database.open().orders
            do {
                print("Order \(try await store.cancel(try await Orders.find(number, in: store).number).number) is cancelled.")
            } catch let error as OrderAdminError {
                throw exitWithError(error.description)
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write every order as CSV (RFC 4180) to standard output.",
            usage: "agora orders export [--csv] [--status STATUS] [--site DIR] [--db DB]"
        )

        @Flag(name: .long, help: "CSV output (the only format).")
        var csv = false

        @Option(name: .long, help: "Only orders with this status.")
        var status: String?

        @OptionGroup var database: DatabaseLocation

        func run() async throws {
            guard csv else { throw exitWithError("choose a format: --csv") }
            var filter = OrderFilter()
            if let status {
                guard let value = Order.Status(rawValue: status) else { throw exitWithError("unknown status \(status)") }
                filter.status = value
            }
            let (orders, _) = try await database.open().orders.list(filter, page: 1, perPage: Int.max / 2)
            FileHandle.standardOutput.write(Data(OrderCSV.document(orders).utf8))
        }
    }

    static func find(_ number: String, in store: any OrderStore) async throws -> Order {
        guard let normalized = OrderNumber.normalize(number), let order = try await store.order(number: normalized) else {
            throw exitWithError("no order \(number)")
        }
        return order
    }


    static func day(_ seconds: Int64) -> String {
        String(Date(timeIntervalSince1970: TimeInterval(seconds)).formatted(.iso8601).prefix(10))
    }
}

/// `orders list --json`: one array of orders with their items.
enum OrderJSONLines {
    static func document(_ orders: [Order]) throws -> String {
        let value: [[String: Any]] = orders.map { order in
            ["number": order.number, "status": order.status.rawValue, "created": order.createdAt,
             "total": order.total.decimalString, "currency": order.currency,
             "customer": ["first_name": order.customer.firstName, "last_name": order.customer.lastName,
                          "email": order.customer.email, "address": order.customer.address,
                          "postal_code": order.customer.postalCode, "city": order.customer.city],
             "items": order.items.map { ["sku": $0.sku, "name": $0.name, "quantity": $0.quantity, "price": $0.unitPrice.decimalString] }]
        }
        let data = try JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }
}
