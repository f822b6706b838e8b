// Agora's theme script: small enhancements over plain HTML, no framework. Every feature
// degrades to the static page: without JavaScript or without the server, nothing breaks.
(function (root) {
  "use strict";

  // ---- Search over /search.json (no server) -------------------------------------------------

  var AgoraSearch = {
    /** Lower case without accents, so "Tomas" finds "Tomás". */
    fold: function (text) {
      return String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
    },

    /** Turns the index into one flat list with a searchable haystack per entry. */
    prepare: function (index) {
      var symbol = index.currency_symbol || "";
      var entries = [];
      (index.products || []).forEach(function (p) {
        entries.push({ kind: "product", name: p.name, url: p.url,
          detail: [p.category, symbol + p.price, p.maker ? "by " + p.maker : ""].filter(Boolean).join(" · "),
          key: AgoraSearch.fold(p.name), hay: AgoraSearch.fold([p.name, p.sku, p.category, p.maker, p.text].join(" ")) });
      });
      (index.people || []).forEach(function (p) {
        entries.push({ kind: "person", name: p.name, url: p.url, detail: ["Maker", p.location].filter(Boolean).join(" · "),
          key: AgoraSearch.fold(p.name), hay: AgoraSearch.fold([p.name, p.username, p.location, p.text].join(" ")) });
      });
      return entries;
    },

    /** Entries containing every word of the query; names that start with a word rank first. */
    query: function (entries, text, limit) {
      var words = AgoraSearch.fold(text).split(/\s+/).filter(Boolean);
      if (!words.length) return [];
      var found = [];
      for (var i = 0; i < entries.length; i++) {
        var entry = entries[i], score = 0, all = true;
        for (var w = 0; w < words.length; w++) {
          var word = words[w];
          if (entry.hay.indexOf(word) < 0) { all = false; break; }
          score += entry.key.indexOf(word) === 0 ? 3 : (entry.key.indexOf(word) > 0 ? 2 : 1);
        }
        if (all) found.push({ entry: entry, score: score, order: i });
      }
      found.sort(function (a, b) { return b.score - a.score || a.order - b.order; });
      return found.slice(0, limit || 8).map(function (f) { return f.entry; });
    }
  };

  if (typeof module !== "undefined" && module.exports) module.exports = AgoraSearch;
  if (typeof document === "undefined") return;

  var indexPromise = null;
  function loadIndex() {
    if (!indexPromise) {
      indexPromise = fetch("/search.json", { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { products: [], people: [] }; })
        .then(AgoraSearch.prepare)
        .catch(function () { return []; });
    }
    return indexPromise;
  }

  function resultItem(entry, id) {
    var item = document.createElement("li");
    item.setAttribute("role", "option");
    if (id) item.id = id;
    var link = document.createElement("a");
    link.href = entry.url;
    link.textContent = entry.name;
    var detail = document.createElement("span");
    detail.className = "search-detail";
    detail.textContent = entry.detail;
    item.appendChild(link);
    item.appendChild(detail);
    return item;
  }

  function enhanceSearchBox(form) {
    var input = form.querySelector("input[type=search]");
    var list = form.querySelector("[role=listbox]");
    if (!input || !list) return;
    var results = [], active = -1;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function highlight(index) {
      var items = list.querySelectorAll("[role=option]");
      active = index;
      for (var i = 0; i < items.length; i++) items[i].setAttribute("aria-selected", i === index ? "true" : "false");
      if (items[index]) input.setAttribute("aria-activedescendant", items[index].id);
    }
    function show(entries) {
      results = entries;
      list.textContent = "";
      entries.forEach(function (entry, i) { list.appendChild(resultItem(entry, "site-search-option-" + i)); });
      if (!entries.length && input.value.trim()) {
        var none = document.createElement("li");
        none.className = "search-none";
        none.textContent = "No matches";
        list.appendChild(none);
      }
      list.hidden = !input.value.trim();
      input.setAttribute("aria-expanded", list.hidden ? "false" : "true");
      active = -1;
    }

    input.addEventListener("focus", loadIndex, { once: true });
    input.addEventListener("input", function () {
      loadIndex().then(function (entries) { show(AgoraSearch.query(entries, input.value, 8)); });
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && results.length) {
        event.preventDefault();
        highlight(Math.min(active + 1, results.length - 1));
      } else if (event.key === "ArrowUp" && results.length) {
        event.preventDefault();
        highlight(Math.max(active - 1, 0));
      } else if (event.key === "Enter" && active >= 0 && results[active]) {
        event.preventDefault();
        window.location.href = results[active].url;
      } else if (event.key === "Escape") {
        close();
      }
    });
    document.addEventListener("click", function (event) { if (!form.contains(event.target)) close(); });
  }

  function fillSearchPage(form) {
    var input = form.querySelector("input[type=search]");
    var status = document.querySelector("[data-search-status]");
    var list = document.querySelector("[data-search-page-results]");
    var text = new URLSearchParams(window.location.search).get("q") || "";
    input.value = text;
    if (!text.trim()) { status.textContent = "Type a product, a category or a maker."; return; }
    status.textContent = "Searching…";
    loadIndex().then(function (entries) {
      var found = AgoraSearch.query(entries, text, 100);
      list.textContent = "";
      found.forEach(function (entry) { list.appendChild(resultItem(entry)); });
      var count = found.length === 100 ? "100+ results" : found.length === 1 ? "1 result" : found.length + " results";
      status.textContent = found.length ? count + " for “" + text + "”" : "Nothing matches “" + text + "”.";
    });
  }

  // ---- Cart summary in the header (needs `agora serve`) -------------------------------------

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

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-search]"), enhanceSearchBox);
    var page = document.querySelector("[data-search-page]");
    if (page) fillSearchPage(page);
    fillCartSummary();
  });
})(this);
