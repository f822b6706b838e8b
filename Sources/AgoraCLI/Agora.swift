import ArgumentParser

@main
struct Agora: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agora",
        abstract: "A static storefront and people directory built from Markdown.",
        discussion: """
        Every command works on a site folder: the current directory or --site DIR, holding \
        content/, themes/ and output/.
        """,
        version: "0.1.0",
        subcommands: [Init.self, New.self, Build.self, Check.self, Serve.self, Users.self, Orders.self, OutboxCommand.self, Doctor.self, DatabaseCommand.self]
    )
}
