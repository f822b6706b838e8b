import AgoraPayments
import ArgumentParser
import Foundation

/// `--payments manual|stripe` and Stripe's settings (SPEC §6.9). The keys come from the
/// environment, never from the command line, where `ps` would show them to everyone.
struct PaymentOptions: ParsableArguments {
    enum Mode: String, ExpressibleByArgument, CaseIterable {
        case manual, stripe
    }

    @Option(name: .long, help: ArgumentHelp(
        "How orders are paid: manual (the owner marks them paid) or stripe.",
        discussion: "stripe needs STRIPE_SECRET_KEY, STRIPE_PUBLISHABLE_KEY and STRIPE_WEBHOOK_SECRET in the environment."))
    var payments: Mode = .manual

    @Option(name: .long, help: "Stripe's API, or a server that speaks it.")
    var stripeAPI = "https://api.stripe.com"

    @Option(name: .long, help: "Where the order page loads Stripe.js from.")
    var stripeJS = "https://js.stripe.com/v3/"

    /// The provider, or nil for manual payments; a missing key is an error that names it.
    func provider(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> (any PaymentProvider)? {
        guard payments == .stripe else { return nil }
        var values: [String: String] = [:]
        let missing = ["STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET"].filter { name in
            guard let value = environment[name], !value.isEmpty else { return true }
            values[name] = value
            return false
        }
        guard missing.isEmpty else {
            throw ValidationError("--payments stripe needs \(missing.joined(separator: ", ")) in the environment")
        }
        for (name, url) in [("--stripe-api", stripeAPI), ("--stripe-js", stripeJS)] {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
                throw ValidationError("\(name) must be an http or https URL, not \(url)")
            }
        }
        return StripeProvider(api: stripeAPI, secretKey: values["STRIPE_SECRET_KEY"] ?? "",
                              webhookSecret: values["STRIPE_WEBHOOK_SECRET"] ?? "",
                              browser: PaymentBrowserSetup(scriptURL: stripeJS, publishableKey: values["STRIPE_PUBLISHABLE_KEY"] ?? ""))
    }
}
