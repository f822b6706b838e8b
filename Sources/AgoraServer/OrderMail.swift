import AgoraMail
import AgoraStore
import AgoraTheme
import Foundation

/// The order confirmation (SPEC §6.7): subject `Order nr. <number>`, to the order's email, from
/// `mail_from`, the body from the theme's `mail/order_created.txt` template.
struct OrderMail: Sendable {
    /// The owner's notice of a new order, to `owner_email`, from `mail/new_order.txt`.
    static let newOrderKind = "new_order"

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
                "items": order.items.map { ["sku": $0.sku, "name": $0.name, "quantity": $0.quantity,
                                            "total_display": symbol + $0.total.decimalString] },
            ] as [String: Any],
        ]
        let ownerNotice = message.kind == Self.newOrderKind
        var values = context
        values["admin_url"] = config.absoluteURL("/admin/orders/\(order.number)/")
        values["email"] = order.customer.email
        let body = try themes.current.render(ownerNotice ? "mail/new_order.txt" : "mail/order_created.txt", values)
        let host = config.mailFrom.split(separator: "@").last.map(String.init) ?? "localhost"
        return MailMessage(from: config.mailFrom, to: message.recipient,
                           subject: ownerNotice ? "New order \(order.number)" : "Order nr. \(order.number)",
                           date: Date(timeIntervalSince1970: TimeInterval(message.createdAt)),
                           messageID: "order-\(order.number).\(message.id)@\(host)", body: body)
    }
}
