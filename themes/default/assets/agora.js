// Agora's theme script: small enhancements over plain HTML forms, no framework.
// Every feature degrades to the static page: when the server is not running, nothing changes.
(function () {
  "use strict";

  function fillCartSummary() {
    var counter = document.querySelector("[data-cart-count]");
    if (!counter || !window.fetch) return;
    fetch("/api/cart", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (cart) {
        if (!cart || typeof cart.count !== "number" || cart.count < 1) return;
        counter.textContent = String(cart.count);
        counter.hidden = false;
      })
      .catch(function () { /* static hosting without the server: keep the plain link */ });
  }

  document.addEventListener("DOMContentLoaded", fillCartSummary);
})();
