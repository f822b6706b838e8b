import AgoraPayments
import AgoraStore
import ArgumentParser
import Foundation

struct Orders: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orders",
        abstract: "List, inspect, mark paid, ship, deliver, refund, cancel and export orders.",
        subcommands: [List.self, Show.self, MarkPaid.self, Ship.self, Deliver.self, Refund.self, Cancel.self, Export.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List orders, newest first.",
            usage: "agora orders list [--status STATUS] [--json] [--site DIR] [--db DB]"
        )

        @Option(name: .long, help: "Only orders with this status: pending, paid, shipped, delivered, cancelled or refunded.")
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
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show an order with its items.")

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

    struct Ship: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ship",
            abstract: "Mark a paid order shipped; the customer gets the order_shipped mail.")

        @Argument var number: String
        @Option(name: .long, help: "The carrier, as the customer should read it.")
        var carrier: String?
        @Option(name: .long, help: "The tracking number, or a URL the customer can open.")
        var tracking: String?
        @OptionGroup var database: DatabaseLocation

        func validate() throws {
            for (name, value) in [("--carrier", carrier), ("--tracking", tracking)] where (value?.count ?? 0) > Shipment.maxLength {
                throw ValidationError("\(name) is longer than \(Shipment.maxLength) characters")
            }
        }

        func run() async throws {
            let store = try await database.open().orders
            do {
                let found = try await Orders.find(number, in: store).number
                let order = try await store.apply(.ship(Shipment(carrier: carrier, tracking: tracking)), to: found, note: nil)
                print("Order \(order.number) is shipped.")
            } catch let error as OrderAdminError {
                throw exitWithError(error.description)
            }
        }
    }

    struct Deliver: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "deliver", abstract: "Mark a shipped order delivered.")

        @Argument var number: String
        @OptionGroup var database: DatabaseLocation

        func run() async throws {
            let store = try await database.open().orders
            do {
                let order = try await store.apply(.deliver, to: try await Orders.find(number, in: store).number, note: nil)
                print("Order \(order.number) is delivered.")
            } catch let error as OrderAdminError {
                throw exitWithError(error.description)
            }
        }
    }

    struct Refund: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "refund",
            abstract: "Refund a paid, shipped or delivered order.",
            discussion: "An order paid by card is refunded through the payment provider (give the same --payments options "
                + "as `agora serve`); one paid by hand is marked refunded. Units go back on sale if it had not shipped.")

        @Argument var number: String
        @OptionGroup var payment: PaymentOptions
        @OptionGroup var database: DatabaseLocation

        func run() async throws {
            let store = try await database.open().orders
            do {
                let order = try await Orders.find(number, in: store)
                if let reference = order.payment.reference {
                    guard let provider = try payment.provider() else {
                        throw exitWithError("order \(order.number) was paid by card (\(reference)); "
                            + "refund it with --payments stripe and Stripe's keys in the environment")
                    }
                    if let refusal = OrderChange.refund.refusal(order.number, status: order.status) { throw refusal }
                    guard try await provider.refund(reference) else {
                        print("Order \(order.number): the refund is on its way; the order is marked refunded when Stripe confirms it.")
                        return
                    }
                    _ = try await store.apply(.refund, to: order.number, note: "refund of \(reference)")
                } else {
                    _ = try await store.apply(.refund, to: order.number, note: "refunded by hand")
                }
                print("Order \(order.number) is refunded.")
            } catch let error as OrderAdminError {
                throw exitWithError(error.description)
            } catch let error as PaymentError {
                throw exitWithError("order \(number): \(error)")
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel an order; its units go back on sale.")

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
            commandName: "export",
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
