import AgoraMail
import AgoraStore
import AgoraTheme
import Foundation

/// Order mail (SPEC §6.7, §6.9), each kind from the theme's `mail/<kind>.txt` template, from
/// `mail_from`: the confirmation (`Order nr. <number>`), `order_paid` and `order_shipped` to the
/// customer, and `new_order` to the owner.
struct OrderMail: Sendable {
    static let newOrderKind = OrderMailKind.newOrder
    static let subjects = [OrderMailKind.paid: "Payment received", OrderMailKind.shipped: "On its way"]

    let orders: any OrderStore
    let catalog: LiveCatalog
    let themes: LiveTheme
    let links: OrderLinkKeys

    func compose(_ message: OutboxMessage) async throws -> MailMessage {
        guard let order = try await orders.order(number: message.orderNumber) else {
            throw MailTransportError.failed("order \(message.orderNumber) no longer exists")
        }
        let current = catalog.current
        let config = current.config
        let symbol = config.currencySymbol
        let context: [String: Any] = [
            "site": ["title": config.title, "base_url": config.baseURL] as [String: Any],
            "order": [
                "number": order.number, "first_name": order.customer.firstName, "last_name": order.customer.lastName,
                "address": order.customer.address, "postal_code": order.customer.postalCode, "city": order.customer.city,
                "total_display": symbol + order.total.decimalString, "url": config.absoluteURL(try await links.links().path(for: order.number)),
                "charges": ChargesView.values(order, symbol: symbol),
                "shipment": order.shipment.map { ["carrier": $0.carrier ?? false, "tracking": $0.tracking ?? false] as [String: Any] } ?? false,
                "items": order.items.map { ["sku": $0.sku, "name": $0.name, "quantity": $0.quantity,
                                            "total_display": symbol + $0.total.decimalString] },
            ] as [String: Any],
        ]
        let ownerNotice = message.kind == Self.newOrderKind
        var values = context
        values["admin_url"] = config.absoluteURL("/admin/orders/\(order.number)/")
        values["email"] = order.customer.email
        let known = [OrderMailKind.created, OrderMailKind.paid, OrderMailKind.shipped, OrderMailKind.newOrder]
        guard known.contains(message.kind) else { throw MailTransportError.failed("no mail template for \(message.kind)") }
        let body = try themes.current.render("mail/\(message.kind).txt", values)
        let host = config.mailFrom.split(separator: "@").last.map(String.init) ?? "localhost"
        let subject = ownerNotice ? "New order \(order.number)"
            : Self.subjects[message.kind].map { "Order nr. \(order.number): \($0)" } ?? "Order nr. \(order.number)"
        return MailMessage(from: config.mailFrom, to: message.recipient,
                           subject: subject,
                           date: Date(timeIntervalSince1970: TimeInterval(message.createdAt)),
                           messageID: "order-\(order.number).\(message.id)@\(host)", body: body)
    }
}
