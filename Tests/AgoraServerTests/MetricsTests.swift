import AgoraTestSupport
import Foundation
import Testing

@Suite struct MetricsTests {
    @Test func prometheusTextWithRequestsLatencyOrdersAndOutbox() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            let browser = Browser(port: port)
            _ = try await browser.get("/products/sencha/")
            _ = try await browser.get("/api/products/GT-1")
            _ = try await browser.get("/api/products/NOPE")
            try await browser.json("POST", "/api/cart/items", ["sku": "GT-1", "quantity": 1])
            _ = try await browser.json("POST", "/api/orders", TestShop.customer)
            _ = try await browser.send("POST", "/api/views/product/GT-1")
            let metrics = try await HTTPClient(port: port).send("GET", "/metrics")
            #expect(metrics.status == 200)
            #expect(metrics[header: "content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = metrics.text
            #expect(text.contains(#"agora_http_requests_total{route="/api/products/{sku}",method="GET",status="200"} 1"#))
            #expect(text.contains(#"agora_http_requests_total{route="/api/products/{sku}",method="GET",status="404"} 1"#))
            #expect(text.contains(#"agora_http_requests_total{route="static",method="GET",status="200"} 1"#))
            #expect(text.contains(#"agora_http_requests_total{route="/api/orders",method="POST",status="201"} 1"#))
            #expect(text.contains("# TYPE agora_http_request_duration_seconds histogram"))
            #expect(text.contains(#"agora_http_request_duration_seconds_count{route="/api/cart/items"} 1"#))
            #expect(text.contains("agora_orders_placed_total 1"))
            #expect(text.contains("agora_view_increments_total 1"))
            #expect(text.contains(#"agora_outbox_messages{status="pending"} 1.0"#))
            #expect(text.contains(#"agora_outbox_messages{status="failed"} 0.0"#))
        }
    }
}
