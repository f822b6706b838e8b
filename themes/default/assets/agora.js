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
          key: AgoraSearch.fold(p.name), hay: AgoraSearch.fold([p.name, p.sku, p.category, p.maker, (p.tags || []).join(" "), p.text].join(" ")) });
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

  // ---- Cart (needs `agora serve`; without it the plain forms and links remain) --------------

  /** The header's "Your cart: 2 items, €41.00", as the server words it in GET /api/cart. */
  function showCartCount(cart) {
    var summary = document.querySelector("[data-cart-summary]");
    if (!summary || !cart || typeof cart.summary !== "string") return;
    summary.textContent = cart.summary;
  }

  function fillCartSummary() {
    if (!window.fetch) return;
    fetch("/api/cart", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(showCartCount)
      .catch(function () { /* static hosting without the server: keep the plain link */ });
  }

  /** Add-to-cart without leaving the page; any failure to reach the API falls back to the form. */
  function enhanceAddToCart(form) {
    var status = document.createElement("p");
    status.className = "add-to-cart-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    form.appendChild(status);
    form.addEventListener("submit", function (event) {
      if (!window.fetch) return;
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      var quantity = parseInt(form.querySelector("[name=quantity]").value, 10);
      if (button) button.disabled = true;
      fetch("/api/cart/items", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ sku: form.getAttribute("data-sku"), quantity: quantity })
      }).then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      }).then(function (result) {
        if (button) button.disabled = false;
        if (result.ok) {
          showCartCount(result.body);
          status.className = "add-to-cart-status";
          status.textContent = "Added to your cart. ";
          var link = document.createElement("a");
          link.href = "/cart/";
          link.textContent = "View cart (" + result.body.count + ")";
          status.appendChild(link);
          refreshStock(form.getAttribute("data-sku"));
        } else {
          status.className = "add-to-cart-status is-error";
          status.textContent = (result.body.error && result.body.error.message) || "That did not work.";
        }
      }).catch(function () { form.submit(); });
    });
  }

  /** Units left right now, from the server, in place of the build-time figure. */
  function refreshStock(sku) {
    var label = document.querySelector("[data-stock][data-sku='" + sku + "']");
    if (!label || !window.fetch) return;
    fetch("/api/products/" + encodeURIComponent(sku), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (product) {
        if (!product) return;
        label.textContent = !product.available ? "Sold out" : product.stock <= 5 ? "Only " + product.stock + " left" : "In stock";
        var button = document.querySelector("form[data-add-to-cart][data-sku='" + sku + "'] button[type=submit]");
        if (button) button.disabled = !product.available;
      })
      .catch(function () {});
  }

  // ---- View beacons (needs `agora serve`) ----------------------------------------------------

  /**
   * One view per page view: a beacon, and the new total shown in `target`. Reloads within a second
   * in the same tab send nothing more and show the last total (sessionStorage is per tab).
   */
  function countView(kind, key, target) {
    var storageKey = "agora:view:" + kind + ":" + key;
    var last = null;
    try { last = JSON.parse(window.sessionStorage.getItem(storageKey) || "null"); } catch (e) { last = null; }
    function show(views) {
      if (!target || typeof views !== "number") return;
      target.textContent = views === 1 ? "1 view" : views.toLocaleString("en") + " views";
    }
    function remember(views) {
      try { window.sessionStorage.setItem(storageKey, JSON.stringify({ at: Date.now(), views: views })); } catch (e) { /* private mode */ }
    }
    if (last && Date.now() - last.at < 1000) { show(last.views); return; }
    remember(last ? last.views : null);
    if (!window.fetch) return;
    fetch("/api/views/" + kind + "/" + encodeURIComponent(key), {
      method: "POST", credentials: "same-origin", keepalive: true, headers: { Accept: "application/json" }
    }).then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (!body) return;
        remember(body.views);
        show(body.views);
      })
      .catch(function () { /* static hosting without the server */ });
  }

  // ---- Follow and like in place (needs `agora serve`; plain forms otherwise) -----------------

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; });
  }

  function postJSON(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" }, body: JSON.stringify(body)
    }).then(function (response) { return response.json().then(function (json) { return { status: response.status, body: json }; }); });
  }

  function plural(count, one, many) { return count === 1 ? "1 " + one : count.toLocaleString("en") + " " + many; }

  /** A toggle form: `state` says whether it is on; submitting flips it through the JSON API. */
  function enhanceToggle(form, options) {
    var button = form.querySelector("button[type=submit]");
    var action = form.querySelector("[name=action]");
    function show(on, count) {
      button.setAttribute("aria-pressed", on ? "true" : "false");
      action.value = on ? options.off : options.on;
      options.label(button, on);
      if (options.count && typeof count === "number") options.count.textContent = options.describe(count);
    }
    if (!window.fetch) return;
    getJSON(options.stateURL).then(function (state) {
      if (!state) return;
      show(state[options.stateKey], state[options.countKey]);
      if (options.selfKey && state[options.selfKey]) form.hidden = true;   // nobody follows themselves
    }).catch(function () {});
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = {};
      body[options.key] = form.getAttribute(options.attribute);
      body.action = action.value;
      postJSON(options.postURL, body).then(function (result) {
        if (result.status === 401) { form.submit(); return; }   // the server sends the visitor to log in
        if (result.status === 200) show(result.body[options.stateKey], result.body[options.countKey]);
      }).catch(function () { form.submit(); });
    });
  }

  function enhanceSocial() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-follow]"), function (form) {
      var username = form.getAttribute("data-username");
      enhanceToggle(form, {
        on: "follow", off: "unfollow", key: "username", attribute: "data-username",
        stateURL: "/api/people/" + encodeURIComponent(username), postURL: "/api/follow",
        stateKey: "is_following", countKey: "followers", selfKey: "is_self", count: document.querySelector("[data-follower-count]"),
        describe: function (n) { return plural(n, "follower", "followers"); },
        label: function (button, on) { button.textContent = on ? "Following" : "Follow"; }
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll("form[data-like]"), function (form) {
      var sku = form.getAttribute("data-sku");
      enhanceToggle(form, {
        on: "like", off: "unlike", key: "sku", attribute: "data-sku",
        stateURL: "/api/products/" + encodeURIComponent(sku), postURL: "/api/likes",
        stateKey: "liked", countKey: "likes", count: document.querySelector("[data-like-count]"),
        describe: function (n) { return plural(n, "like", "likes"); },
        label: function (button, on) { button.querySelector("[data-like-label]").textContent = on ? "Liked" : "Like"; }
      });
    });
  }

  /** A decorative square image, as the dashboard's own feed items have. */
  function image(src, className, size) {
    var img = document.createElement("img");
    img.src = src;
    img.className = className;
    img.alt = "";
    img.width = size;
    img.height = size;
    img.loading = "lazy";
    return img;
  }

  /** The dashboard feed loads older items as the reader reaches its end. */
  function enhanceFeed(list) {
    if (!window.fetch || !("IntersectionObserver" in window)) return;
    var sentinel = document.createElement("li");
    sentinel.className = "feed-end muted";
    list.appendChild(sentinel);
    var loading = false;
    var observer = new IntersectionObserver(function (entries) {
      if (!entries[0].isIntersecting || loading) return;
      var next = list.getAttribute("data-next");
      if (!next) { observer.disconnect(); return; }
      loading = true;
      getJSON("/api/feed?limit=10&before=" + encodeURIComponent(next)).then(function (page) {
        loading = false;
        if (!page) return;
        page.items.forEach(function (item) {
          var li = document.createElement("li");
          li.className = "feed-item";
          if (item.actor.thumbnail) li.appendChild(image(item.actor.thumbnail, "avatar avatar-small", 40));
          var p = document.createElement("p");
          var actor = document.createElement(item.actor.url ? "a" : "strong");
          if (item.actor.url) actor.href = item.actor.url;
          actor.textContent = item.actor.name;
          p.appendChild(actor);
          p.appendChild(document.createTextNode(" " + ({ joined: "joined the shop", follows: "started following", likes: "likes", published: "published" }[item.verb] || item.verb) + " "));
          if (item.target) {
            var target = document.createElement(item.target.url ? "a" : "span");
            if (item.target.url) target.href = item.target.url;
            target.textContent = item.target.name;
            p.appendChild(target);
          }
          li.appendChild(p);
          if (item.target && item.target.thumbnail) li.appendChild(image(item.target.thumbnail, "feed-thumb", 80));
          list.insertBefore(li, sentinel);
        });
        list.setAttribute("data-next", page.next || "");
        if (!page.next) { sentinel.textContent = "That's everything."; observer.disconnect(); }
      }).catch(function () { loading = false; });
    });
    observer.observe(sentinel);
  }

  // ---- Card payment on the order page (needs `agora serve --payments stripe`) ---------------

  /**
   * Stripe.js turns the card into a token; the server attaches it to the order's payment and
   * confirms it (the amount is the order's, set by the server). When the bank asks for 3-D
   * Secure, Stripe.js finishes that step with the client secret. Then the page waits for the
   * provider's webhook to mark the order paid.
   */
  function enhancePayment(form) {
    if (typeof window.Stripe !== "function" || !window.fetch) return;
    var stripe = window.Stripe(form.getAttribute("data-key"));
    var card = stripe.elements().create("card");
    card.mount(form.querySelector("[data-card-field]"));
    var status = form.querySelector("[data-payment-status]");
    var button = form.querySelector("button[type=submit]");
    var number = form.getAttribute("data-order");
    var linkKey = form.getAttribute("data-link-key");
    var query = linkKey ? "?key=" + encodeURIComponent(linkKey) : "";
    function say(text, isError) {
      status.textContent = text;
      status.className = "payment-status" + (isError ? " is-error" : "");
    }
    function fail(text) { say(text, true); button.disabled = false; }
    function waitUntilPaid(tries) {
      getJSON("/api/orders/" + encodeURIComponent(number) + query).then(function (order) {
        if (order && order.status !== "pending") { window.location.reload(); return; }
        if (order && order.payment_error && tries > 2) { fail("Your payment did not go through: " + order.payment_error); return; }
        if (tries >= 30) { say("Payment received; it can take a minute to show here. Reload the page to see it."); return; }
        window.setTimeout(function () { waitUntilPaid(tries + 1); }, 1000);
      }).catch(function () { window.setTimeout(function () { waitUntilPaid(tries + 1); }, 2000); });
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      button.disabled = true;
      say("Paying…");
      stripe.createToken(card).then(function (result) {
        if (result.error || !result.token) throw { message: (result.error && result.error.message) || "Check the card details." };
        return fetch("/api/orders/" + encodeURIComponent(number) + "/payment" + query, {
          method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/json", Accept: "application/json" },
          body: JSON.stringify({ token: result.token.id })
        });
      }).then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      }).then(function (answer) {
        if (!answer.ok) throw { message: (answer.body.error && answer.body.error.message) || "The payment did not go through." };
        if (answer.body.status === "requires_action") {
          return stripe.confirmCardPayment(answer.body.client_secret).then(function (result) {
            if (result.error) throw { message: result.error.message || "The card's bank did not confirm the payment." };
          });
        }
      }).then(function () {
        say("Payment sent; waiting for the confirmation…");
        waitUntilPaid(0);
      }).catch(function (error) {
        fail((error && error.message) || "The payment did not go through.");
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var payment = document.querySelector("form[data-payment]");
    if (payment) enhancePayment(payment);
    enhanceSocial();
    var feed = document.querySelector("[data-feed]");
    if (feed) enhanceFeed(feed);
    var product = document.querySelector("[data-product-stats][data-sku]");
    if (product) countView("product", product.getAttribute("data-sku"), product);
    var person = document.querySelector("[data-person-stats][data-username]");
    if (person) countView("person", person.getAttribute("data-username"), person);
    Array.prototype.forEach.call(document.querySelectorAll("[data-search]"), enhanceSearchBox);
    var page = document.querySelector("[data-search-page]");
    if (page) fillSearchPage(page);
    fillCartSummary();
    Array.prototype.forEach.call(document.querySelectorAll("form[data-add-to-cart]"), enhanceAddToCart);
    Array.prototype.forEach.call(document.querySelectorAll("[data-stock][data-sku]"), function (label) {
      refreshStock(label.getAttribute("data-sku"));
    });
  });
})(this);
