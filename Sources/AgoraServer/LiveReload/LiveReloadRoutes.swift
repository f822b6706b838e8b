import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle

/// `/_agora/live` (the event stream) and `/_agora/live.js` (the script that listens to it), only
/// under `agora serve --watch`.
struct LiveReloadRoutes {
    static let scriptPath = "/_agora/live.js"
    static let eventsPath = "/_agora/live"
    /// A comment line this often keeps idle connections open through proxies.
    static let pingInterval: Duration = .seconds(15)

    let hub: LiveReload

    func register(on router: Router<ShopContext>) {
        router.get(.init(stringLiteral: Self.eventsPath)) { [hub] _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/event-stream; charset=utf-8"
            headers[.cacheControl] = "no-store"
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
                let events = hub.subscribe()
                try await writer.write(ByteBuffer(string: "retry: 1000\n\n"))
                // A stopping server ends the streams, or open pages would hold it up.
                try await withGracefulShutdownHandler {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            while !Task.isCancelled {
                                try await Task.sleep(for: Self.pingInterval)
                                hub.publish(.ping)
                            }
                        }
                        for await event in events {
                            try await writer.write(ByteBuffer(string: event.serverSentEvent))
                        }
                        group.cancelAll()
                    }
                } onGracefulShutdown: {
                    hub.close()
                }
                try await writer.finish(nil)
            })
        }
        router.get(.init(stringLiteral: Self.scriptPath)) { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/javascript; charset=utf-8"
            headers[.cacheControl] = "no-store"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: Self.script)))
        }
    }

    /// Reloads the page after a rebuild; shows a failed build's errors over the page (as text,
    /// never as markup) until the next good build.
    static let script = #"""
    (function () {
      "use strict";
      var overlay = null;
      function show(lines) {
        if (!overlay) {
          overlay = document.createElement("div");
          overlay.id = "agora-build-error";
          overlay.setAttribute("role", "alert");
          var s = overlay.style;
          s.position = "fixed"; s.left = "0"; s.right = "0"; s.bottom = "0"; s.zIndex = "2147483647";
          s.maxHeight = "60vh"; s.overflow = "auto"; s.padding = "1rem 1.25rem"; s.background = "#2b0b0b";
          s.color = "#ffe9e9"; s.font = "14px/1.5 ui-monospace, SFMono-Regular, Menlo, monospace";
          s.boxShadow = "0 -4px 24px rgba(0,0,0,.35)";
          document.body.appendChild(overlay);
        }
        overlay.textContent = "";
        var title = document.createElement("strong");
        title.textContent = "agora build failed \u2014 this page is the last good build";
        var list = document.createElement("pre");
        list.style.margin = ".5rem 0 0"; list.style.whiteSpace = "pre-wrap";
        list.textContent = lines.join("\n");
        overlay.appendChild(title);
        overlay.appendChild(list);
      }
      var events = new EventSource("/_agora/live");
      events.addEventListener("reload", function () { location.reload(); });
      events.addEventListener("build-failed", function (event) { show(JSON.parse(event.data).lines); });
    })();
    """#
}
