// Bookmarks (stars) on the papers pages.
// The pages are the same for everyone: who the visitor is and their stars come from
// /me/state.json (static/js/state.js, window.portalState). Logged in: a star posts to
// the server (without JS, the star's form asks the private page that confirms it).
// Anonymous: stars live in localStorage under STORE and "My papers" asks the server to
// render that list; after logging in, the browser's list is merged into the account the
// first time a papers page loads, then cleared.
(window.portalState || Promise.resolve(null)).then(function (state) {
  "use strict";
  var STORE = "portal.bookmarks";
  var meta = document.querySelector('meta[name="portal-user"]');
  var loggedIn = !!(state && state.user.authenticated);
  var endpoint = meta ? meta.dataset.bookmarks : "/me/papers/bookmarks";

  function stored() {
    try {
      var value = JSON.parse(window.localStorage.getItem(STORE) || "[]");
      return Array.isArray(value) ? value.filter(function (u) { return typeof u === "string"; }) : [];
    } catch (e) { return []; }
  }
  function save(uids) {
    try { window.localStorage.setItem(STORE, JSON.stringify(uids)); } catch (e) { /* private mode: keep going */ }
  }
  function csrfToken() {
    if (state) return state.csrf;
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var input = document.querySelector('input[name="csrfmiddlewaretoken"]');
    return input ? input.value : "";
  }
  function paint(button, on) {
    button.classList.toggle("on", on);
    button.setAttribute("aria-pressed", on ? "true" : "false");
    button.title = on ? "Remove the bookmark" : "Bookmark this paper";
    var icon = button.querySelector(".star-icon");
    if (icon) icon.textContent = on ? "★" : "☆";
  }
  function paintAll(root, uids) {
    var set = {};
    uids.forEach(function (u) { set[u] = true; });
    (root || document).querySelectorAll("button.star[data-uid]").forEach(function (button) {
      paint(button, !!set[button.dataset.uid]);
    });
  }
  window.portalBookmarks = { stored: stored, loggedIn: loggedIn };

  if (!loggedIn) {
    paintAll(document, stored());
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.classList || !form.classList.contains("star-form")) return;
      event.preventDefault();
      var button = form.querySelector("button.star");
      var uid = button.dataset.uid;
      var uids = stored();
      var at = uids.indexOf(uid);
      if (at >= 0) uids.splice(at, 1); else uids.unshift(uid);
      save(uids);
      paint(button, at < 0);
    });
    document.addEventListener("htmx:afterSwap", function (event) { paintAll(event.target, stored()); });
    var mine = document.getElementById("my-papers");
    if (mine && mine.dataset.fromBrowser) {
      var uids = stored();
      if (uids.length) {
        fetch(mine.dataset.source + "?uids=" + encodeURIComponent(uids.join(",")), {
          headers: { "HX-Request": "true", "HX-Target": "my-papers" },
          credentials: "same-origin"
        }).then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
          .then(function (html) { mine.innerHTML = html; paintAll(mine, stored()); })
          .catch(function () { /* keep the server's empty list */ });
      }
    }
    return;
  }

  // Logged in: their stars, and a star posts to the server.
  paintAll(document, state.stars);
  document.addEventListener("htmx:afterSwap", function (event) { paintAll(event.target, state.stars); });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("star-form")) return;
    event.preventDefault();
    var button = form.querySelector("button.star");
    var on = button.getAttribute("aria-pressed") !== "true";
    var body = new FormData();
    body.append("on", on ? "1" : "0");
    button.setAttribute("aria-busy", "true");
    fetch(form.action, { method: "POST", body: body, credentials: "same-origin", headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" } })
      .then(function (r) {
        button.removeAttribute("aria-busy");
        if (!r.ok) return Promise.reject(r.status);
        var at = state.stars.indexOf(button.dataset.uid);
        if (on && at < 0) state.stars.push(button.dataset.uid);
        if (!on && at >= 0) state.stars.splice(at, 1);
        paintAll(document, state.stars);
      })
      .catch(function () { button.removeAttribute("aria-busy"); form.submit(); });
  });

  // Merge what this browser kept before the login, once.
  var pending = stored();
  if (pending.length) {
    fetch(endpoint, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ uids: pending })
    }).then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) {
        save([]);
        window.localStorage.removeItem(STORE);
        paintAll(document, data.uids || []);
        var mine = document.getElementById("my-papers");
        if (mine && pending.length) window.location.reload();
      })
      .catch(function () { /* try again on the next page */ });
  }
});

// The paper browser's keyword box applies as soon as what is typed names a keyword (its
// slug or its name, in any case, as the server reads it) or is emptied, and on leaving
// the box whatever it holds, without waiting for Enter: it tells htmx with one
// "keyword-chosen" event (the form's hx-trigger). A half-typed word sends nothing, so no
// "no such keyword" notice flickers, and a value already sent is not sent again.
(function () {
  "use strict";
  var input = document.getElementById("paper-keyword");
  if (!input || !input.form) return;
  var sent = input.value.trim().toLowerCase();
  var timer = null;
  function known(value) {
    var list = document.getElementById(input.getAttribute("list"));
    if (!list) return false;
    return Array.prototype.some.call(list.querySelectorAll("option"), function (option) {
      return option.value.toLowerCase() === value || (option.dataset.name || "").toLowerCase() === value;
    });
  }
  function choose(value) {
    if (value === sent) return;
    input.dispatchEvent(new CustomEvent("keyword-chosen", { bubbles: true }));
  }
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var value = input.value.trim().toLowerCase();
      if (!value || known(value)) choose(value);
    }, 250);
  });
  input.addEventListener("change", function () {
    clearTimeout(timer);
    // After this task: Enter fires "change" and then submits, and the submit sends it.
    timer = setTimeout(function () { choose(input.value.trim().toLowerCase()); }, 0);
  });
  // Whatever sent the form (Enter, a select, the search box) sent the keyword too.
  input.form.addEventListener("htmx:beforeRequest", function () {
    clearTimeout(timer);
    sent = input.value.trim().toLowerCase();
  });
})();
