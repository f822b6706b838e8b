import AgoraStore
import ArgumentParser
import Foundation

struct OutboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox",
        abstract: "Inspect the order-mail outbox and retry failed messages.",
        subcommands: [List.self, Retry.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List messages, newest first, with attempts and the last error.")

        @Option(name: .long, help: "Only messages with this status: pending, sent or failed.")
        var status: String?

        @OptionGroup var database: DatabaseLocation

        func run() async throws {
            var filter: OutboxMessage.Status?
            if let status {
                guard let value = OutboxMessage.Status(rawValue: status) else { throw exitWithError("unknown status \(status)") }
                filter = value
            }
            let messages = try await database.open().outbox.all(status: filter, limit: 10_000)
            print(Table.render(header: ["id", "order", "to", "status", "attempts", "last error"], rows: messages.map {
                [String($0.id), $0.orderNumber, $0.recipient, $0.status.rawValue, String($0.attempts), $0.lastError ?? ""]
            }))
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "retry",
            abstract: "Put failed messages (or one message) back in line; a running server sends them within a second.")

        @Argument(help: "A message id from `agora outbox list` (default: every failed message).")
        var id: Int64?

        @OptionGroup var database: DatabaseLocation

        func run() async throws {
            let count = try await database.open().outbox.retry(id: id)
            print(count == 1 ? "1 message queued again." : "\(count) messages queued again.")
        }
    }
}
