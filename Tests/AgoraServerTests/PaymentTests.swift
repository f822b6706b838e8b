import AgoraPayments
@testable import AgoraServer
import AgoraStore
import AgoraTestSupport
import Foundation
import Testing

/// Card payments end to end (SPEC §6.9) against localstripe on 127.0.0.1: the real server, the
/// real Stripe API calls, signed webhooks delivered over HTTP.
@Suite(.serialized) struct PaymentTests {
    /// A shop with `--payments stripe` pointed at localstripe, whose webhooks reach this server.
    struct PayingShop {
        let shop: TestShop
        let stripe: TestLocalstripe.Server
        let secret = "whsec_" + UUID().uuidString
        let log = LogSink(enabled: false)

        init(clock: any StoreClock = SystemClock()) throws {
            shop = try TestShop(clock: clock)
            stripe = try TestLocalstripe.server()
        }

        var provider: StripeProvider {
            StripeProvider(api: stripe.url, secretKey: TestLocalstripe.Server.secretKey, webhookSecret: secret,
                           browser: PaymentBrowserSetup(scriptURL: stripe.scriptURL, publishableKey: TestLocalstripe.Server.publishableKey))
        }

        func server() throws -> ShopServer {
            try shop.server { $0.payments = provider }
        }

        func run(_ body: @Sendable (Int) async throws -> Void) async throws {
            try await shop.run(try server()) { port in
                try await stripe.registerWebhook(id: "agora-\(port)", url: "http://127.0.0.1:\(port)/api/payments/stripe/webhook",
                                                 secret: secret)
                try await body(port)
            }
        }

        /// A customer's order of two Senchas (€25.00), placed through the API.
        func order(_ buyer: Browser) async throws -> String {
            try await buyer.json("POST", "/api/cart/items", ["sku": "GT-1", "quantity": 2])
            let placed = try await buyer.json("POST", "/api/orders", TestShop.customer)
            return try #require(placed.json["number"] as? String)
        }

        /// The order once `condition` holds: webhooks arrive a second or so after the payment.
        func order(_ number: String, until condition: (Order) -> Bool) async throws -> Order {
            for _ in 0..<100 {
                if let order = try await shop.store.orders.order(number: number), condition(order) { return order }
                try await Task.sleep(for: .milliseconds(100))
            }
            return try #require(try await shop.store.orders.order(number: number))
        }

        /// A webhook delivery as Stripe signs it, for the cases localstripe does not send.
        func deliver(_ port: Int, _ event: [String: Any], signedWith key: String? = nil, at time: Int64? = nil,
                     signature: String? = nil) async throws -> HTTPReply {
            let payload = try JSONSerialization.data(withJSONObject: event)
            let timestamp = time ?? Int64(Date().timeIntervalSince1970)
            let v1 = StripeSignature(secret: key ?? secret).sign(payload: Array(payload), timestamp: timestamp)
            var headers = ["Content-Type": "application/json"]
            if let header = signature ?? "t=\(timestamp),v1=\(v1)" as String?, !header.isEmpty { headers["Stripe-Signature"] = header }
            return try await HTTPClient(port: port).send("POST", "/api/payments/stripe/webhook", headers: headers, body: payload)
        }

        static func succeeded(_ order: Order, id: String, amount: Int64? = nil, currency: String = "eur") -> [String: Any] {
            ["id": id, "type": "payment_intent.succeeded", "data": ["object": [
                "id": order.payment.reference ?? "pi_none", "object": "payment_intent", "amount": amount ?? order.total.minorUnits,
                "currency": currency, "metadata": ["order": order.number]]]]
        }
    }

    @Test func aCardPaymentMarksTheOrderPaidByItsWebhookAndMailsTheCustomer() async throws {
        let paying = try PayingShop()
        try await paying.run { port in
            let buyer = Browser(port: port)
            let number = try await paying.order(buyer)
            // Checkout opened a PaymentIntent for the order's own total, with its number.
            let opened = try #require(try await paying.shop.store.orders.order(number: number))
            let reference = try #require(opened.payment.reference)
            let intent = try await paying.stripe.intent(reference)
            #expect(intent["amount"] as? Int == 2500 && intent["currency"] as? String == "eur")
            #expect((intent["metadata"] as? [String: Any])?["order"] as? String == number)

            // The order page offers the card field, with Stripe.js allowed by its policy.
            let page = try await buyer.get("/orders/\(number)/")
            #expect(page.text.contains("data-payment") && page.text.contains(paying.stripe.scriptURL))
            #expect(page.headers["content-security-policy"]?.contains("script-src 'self' \(paying.stripe.url)") == true)
            #expect(try await buyer.get("/cart/").headers["content-security-policy"] == SecurityHeaders.contentSecurityPolicy)

            let token = try await paying.stripe.cardToken("4242424242424242")
            let paid = try await buyer.json("POST", "/api/orders/\(number)/payment", ["token": token])
            #expect(paid.status == 200 && paid.json["status"] as? String == "succeeded")
            #expect(paid.json["client_secret"] == nil)   // only for a 3-D Secure step

            let order = try await paying.order(number) { $0.status == .paid }
            #expect(order.status == .paid)
            #expect(order.history.last?.note == "card payment \(reference)")
            #expect(try await paying.shop.store.outbox.all().filter { $0.orderNumber == number }.map(\.kind).sorted()
                == ["order_created", "order_paid"])
            // Paid is paid: no second payment is taken.
            let again = try await buyer.json("POST", "/api/orders/\(number)/payment", ["token": try await paying.stripe.cardToken("4242424242424242")])
            #expect(again.status == 409 && (again.json["error"] as? [String: Any])?["code"] as? String == "not_payable")
            #expect(!(try await buyer.get("/orders/\(number)/")).text.contains("data-payment"))
        }
    }

    @Test func aDeclinedCardLeavesTheOrderPendingAndAnotherCardPays() async throws {
        let paying = try PayingShop()
        try await paying.run { port in
            let buyer = Browser(port: port)
            let number = try await paying.order(buyer)
            let declined = try await buyer.json("POST", "/api/orders/\(number)/payment",
                                                ["token": try await paying.stripe.cardToken("4000000000000341")])
            #expect(declined.status == 402)
            #expect((declined.json["error"] as? [String: Any])?["code"] as? String == "card_declined")
            let failed = try await paying.order(number) { $0.payment.failure != nil }
            #expect(failed.status == .pending && failed.payment.failure == "Your card was declined.")
            #expect(try await buyer.get("/orders/\(number)/").text.contains("Your last payment did not go through: Your card was declined."))

            let retried = try await buyer.json("POST", "/api/orders/\(number)/payment",
                                               ["token": try await paying.stripe.cardToken("4242424242424242")])
            #expect(retried.status == 200)
            let paid = try await paying.order(number) { $0.status == .paid }
            #expect(paid.status == .paid && paid.payment.attempts == 2 && paid.payment.failure == nil)
        }
    }

    @Test func aThreeDSecureCardIsFinishedInTheBrowser() async throws {
        let paying = try PayingShop()
        try await paying.run { port in
            let buyer = Browser(port: port)
            let number = try await paying.order(buyer)
            let answer = try await buyer.json("POST", "/api/orders/\(number)/payment",
                                              ["token": try await paying.stripe.cardToken("4000002500003155")])
            #expect(answer.json["status"] as? String == "requires_action")
            let secret = try #require(answer.json["client_secret"] as? String)
            let reference = try #require(try await paying.shop.store.orders.order(number: number)?.payment.reference)
            try await paying.stripe.authenticate(reference, clientSecret: secret, success: true)   // what confirmCardPayment does
            #expect(try await paying.order(number) { $0.status == .paid }.status == .paid)
        }
    }

    @Test func webhooksAreBelievedOnlyWhenSignedRecentAndForTheOrdersAmount() async throws {
        let paying = try PayingShop()
        try await paying.run { port in
            let number = try await paying.order(Browser(port: port))
            let order = try #require(try await paying.shop.store.orders.order(number: number))
            let event = PayingShop.succeeded(order, id: "evt_\(UUID().uuidString.prefix(8))")
            let now = Int64(Date().timeIntervalSince1970)

            for refused in [try await paying.deliver(port, event, signature: ""),                       // unsigned
                            try await paying.deliver(port, event, signedWith: "whsec_someone_else"),     // mis-signed
                            try await paying.deliver(port, event, at: now - 600),                        // stale
                            try await paying.deliver(port, event, signature: "t=\(now),v1=00")] {
                #expect(refused.status == 400)
                #expect((refused.json["error"] as? [String: Any])?["code"] as? String == "invalid_webhook")
            }
            for wrong in [PayingShop.succeeded(order, id: "evt_more", amount: order.total.minorUnits + 1),
                          PayingShop.succeeded(order, id: "evt_usd", currency: "usd")] {
                let refused = try await paying.deliver(port, wrong)
                #expect(refused.status == 422)
                #expect((refused.json["error"] as? [String: Any])?["code"] as? String == "amount_mismatch")
            }
            #expect(try await paying.shop.store.orders.order(number: number)?.status == .pending)

            // The genuine event, delivered three times: paid once, one mail.
            for _ in 0..<3 { #expect(try await paying.deliver(port, event).status == 200) }
            #expect(try await paying.shop.store.orders.order(number: number)?.status == .paid)
            #expect(try await paying.shop.store.outbox.all().filter { $0.kind == "order_paid" }.count == 1)
        }
    }

    @Test func aRefundGoesThroughStripeAndPutsTheUnitsBack() async throws {
        let paying = try PayingShop()
        try await paying.run { port in
            let buyer = Browser(port: port)
            let number = try await paying.order(buyer)
            _ = try await buyer.json("POST", "/api/orders/\(number)/payment", ["token": try await paying.stripe.cardToken("4242424242424242")])
            _ = try await paying.order(number) { $0.status == .paid }
            #expect(try await paying.shop.store.carts.unitsSold()["GT-1"] == 2)

            let admin = try await paying.shop.admin(port: port)
            #expect(try await admin.get("/admin/orders/\(number)/").text.contains("Refund the card payment"))
            let refunded = try await admin.form("/admin/orders/\(number)/refund", [:])
            #expect(refunded.status == 303)
            let order = try #require(try await paying.shop.store.orders.order(number: number))
            #expect(order.status == .refunded && order.history.last?.note == "refund of \(order.payment.reference ?? "")")
            #expect(try await paying.shop.store.carts.unitsSold()["GT-1"] == 0)
            let charge = try await paying.stripe.intent(try #require(order.payment.reference))["latest_charge"]
            #expect(charge != nil)
        }
    }

    @Test func unpaidOrdersAreReleasedAfterTheirHours() async throws {
        let clock = MovableClock()
        let paying = try PayingShop(clock: clock)
        let server = try paying.server()
        try await paying.shop.run(server) { port in
            let number = try await paying.order(Browser(port: port))
            let desk = try #require(server.paymentDesk)
            #expect(try await desk.releaseUnpaid(olderThan: 48, now: clock.now()) == 0)
            clock.advance(by: 48 * 3600 + 1)
            #expect(try await desk.releaseUnpaid(olderThan: 48, now: clock.now()) == 1)
            let order = try #require(try await paying.shop.store.orders.order(number: number))
            #expect(order.status == .cancelled && order.history.last?.note == "not paid within 48 hours")
            #expect(try await paying.shop.store.carts.unitsSold()["GT-1"] == 0)
            #expect(try await paying.stripe.intent(try #require(order.payment.reference))["status"] as? String == "canceled")
        }
    }

    @Test func aManualShopTakesNoCardPayments() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            let buyer = Browser(port: port)
            try await buyer.json("POST", "/api/cart/items", ["sku": "GT-1", "quantity": 1])
            let number = try #require(try await buyer.json("POST", "/api/orders", TestShop.customer).json["number"] as? String)
            #expect(!(try await buyer.get("/orders/\(number)/")).text.contains("data-payment"))
            #expect(try await buyer.json("POST", "/api/orders/\(number)/payment", ["token": "tok_1"]).status == 404)
            #expect(try await HTTPClient(port: port).send("POST", "/api/payments/stripe/webhook", headers: ["Content-Type": "application/json"],
                                                          body: Data("{}".utf8)).status == 404)
        }
    }
}

/// A clock a test moves forward.
final class MovableClock: StoreClock, @unchecked Sendable {
    private let lock = NSLock()
    private var offset: Int64 = 0

    func advance(by seconds: Int64) { lock.withLock { offset += seconds } }
    func now() -> Int64 { SystemClock().now() + lock.withLock { offset } }
}
