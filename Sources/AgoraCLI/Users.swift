import AgoraStore
import ArgumentParser
import Foundation

struct Users: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "Manage accounts.",
        subcommands: [Create.self, List.self, SetAdmin.self, Link.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Create an account; the password is read from standard input.",
            usage: """
            agora users create <username> [--email EMAIL] [--name NAME] [--admin]
                               [--site DIR] [--db DB]
            """,
            discussion: """
            The only way to create the account of a person with a profile (their username is reserved on \
            the register page): an account made here shows with the profile of the same username.
            Example: printf '%s\\n' "$PASSWORD" | agora users create ana --email ana@example.com --admin
            """
        )

        @Argument(help: "The username ([a-z0-9_-], 3 to 30 characters).")
        var username: String

        @Option(name: .long, help: "Email address (optional).")
        var email: String?

        @Option(name: .long, help: "Display name (default: the username).")
        var name: String?

        @Flag(name: .long, help: "Give the account the admin flag.")
        var admin = false

        @OptionGroup var database: DatabaseLocation

        func run() async throws {
            guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                throw exitWithError("no password on standard input")
            }
            do {
                let account = try await database.open().accountRules.create(
                    username: username, email: email ?? "", name: name ?? username, password: line, isAdmin: admin,
                    linkedToProfile: true, emailRequired: email != nil)
                print("Created \(account.username)\(account.isAdmin ? " (admin)" : "").")
            } catch AccountError.invalid(let field, let message) {
                throw exitWithError("\(field): \(message)")
            } catch AccountError.usernameTaken(let taken) {
                throw exitWithError("username \(taken) is taken")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List accounts.")

        @OptionGroup var database: DatabaseLocation

        func run() async throws {
            let accounts = try await database.open().accounts.all()
            print(Table.render(header: ["username", "name", "email", "admin", "profile"], rows: accounts.map {
                [$0.username, $0.name, $0.email, $0.isAdmin ? "yes" : "", $0.isLinkedToProfile ? "linked" : ""]
            }))
        }
    }

    struct SetAdmin: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set-admin", abstract: "Give (or with --off take away) the admin flag.")

        @Argument var username: String

        @Flag(name: .long, help: "Remove the admin flag.")
        var off = false

        @OptionGroup var database: DatabaseLocation

        func run() async throws {
            try await Users.change(username, in: database, saying: "\(off ? "no longer" : "now") an admin") {
                try await $0.setAdmin($1, !off)
            }
        }
    }

    struct Link: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "link",
            abstract: "Make an existing account the maker's profile of the same username (or with --off a shopper again).",
            discussion: """
            An account registered on the site stays a shopper even when a profile with its username \
            appears later; only the owner decides that it belongs to that maker.
            """
        )

        @Argument var username: String

        @Flag(name: .long, help: "Unlink: the account becomes a shopper again.")
        var off = false

        @OptionGroup var database: DatabaseLocation

        func run() async throws {
            let name = username.lowercased()
            try await Users.change(username, in: database, saying: "\(off ? "no longer" : "now") linked to the profile \(name)") {
                try await $0.setLinkedToProfile($1, !off)
            }
        }
    }

    /// Applies a change to one account and says what it is now ("mira is now an admin."), or
    /// exits 1 when there is no such account.
    static func change(_ username: String, in database: DatabaseLocation, saying state: String,
                       _ apply: (any AccountStore, String) async throws -> Void) async throws {
        let name = username.lowercased()
        do {
            try await apply(try await database.open().accounts, name)
            print("\(name) is \(state).")
        } catch AccountError.unknownAccount {
            throw exitWithError("no account \(username)")
        }
    }
}

/// Plain text tables for terminal listings.
enum Table {
    static func render(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}
