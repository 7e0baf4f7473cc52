// Bookmarks (stars) on the papers pages.
// Logged in: the star forms post to the server (htmx swaps the button; without JS the
// form posts and redirects back). Anonymous: stars live in localStorage under STORE and
// "My papers" asks the server to render that list; after logging in, the browser's list
// is merged into the account the first time a papers page loads, then cleared.
(function () {
  "use strict";
  var STORE = "portal.bookmarks";
  var meta = document.querySelector('meta[name="portal-user"]');
  var loggedIn = meta && meta.content === "1";
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

  // Logged in: merge what this browser kept before the login, once.
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
})();
