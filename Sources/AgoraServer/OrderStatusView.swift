import AgoraStore
import Foundation

/// An order's status, history and parcel as pages and mail show them (SPEC §6.9).
enum OrderStatusView {
    static func values(_ order: Order) -> [String: Any] {
        [
            "status_label": label(order.status),
            "history": order.history.map { event -> [String: Any] in
                ["status": event.status.rawValue, "label": event.status == .pending ? "Placed" : label(event.status), "time": time(event.at), "note": event.note ?? false]
            },
            "shipment": order.shipment.map { shipment -> [String: Any] in
                ["carrier": shipment.carrier ?? false, "tracking": shipment.tracking ?? false, "tracking_url": shipment.trackingURL ?? false]
            } ?? false,
        ]
    }

    static func label(_ status: Order.Status) -> String {
        switch status {
        case .pending: return "Waiting for payment"
        case .paid: return "Paid"
        case .shipped: return "Shipped"
        case .delivered: return "Delivered"
        case .cancelled: return "Cancelled"
        case .refunded: return "Refunded"
        }
    }

    /// `2026-12-01 14:05 UTC`: a time a customer reads, the same on every server.
    static func time(_ seconds: Int64) -> String {
        let iso = HTTPDate.iso8601(Date(timeIntervalSince1970: TimeInterval(seconds)))
        return iso.prefix(10) + " " + iso.dropFirst(11).prefix(5) + " UTC"
    }
}
