// My agenda in the browser, and the schedule's "now" line. No build step, no framework.
//
// Anonymous visitors keep their agenda in localStorage ({session, subject, label} items);
// once they are logged in, a page with this script merges it into their account and
// forgets the local copy. Logged-in people's buttons post to the server (without this
// script, a button asks the private page that confirms the change).
(function () {
  "use strict";
  var STORAGE_KEY = "portal.schedule.agenda.v1";
  var configElement = document.getElementById("schedule-config");
  var config = configElement ? JSON.parse(configElement.textContent) : {};

  var token = "";  // from /me/state.json (static/js/state.js)
  function csrfToken() {
    if (token) return token;
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input && input.value) return input.value;
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // --- the browser's agenda ---------------------------------------------------------
  function load() {
    try {
      var items = JSON.parse(window.localStorage.getItem(STORAGE_KEY) || "[]");
      return Array.isArray(items) ? items : [];
    } catch (e) {
      return [];
    }
  }
  function save(items) {
    try { window.localStorage.setItem(STORAGE_KEY, JSON.stringify(items)); } catch (e) { /* private mode */ }
  }
  function keyOf(item) { return item.session + "|" + (item.subject || ""); }
  function localKeys() {
    var keys = {};
    load().forEach(function (item) { keys[keyOf(item)] = true; });
    return keys;
  }

  // --- buttons ----------------------------------------------------------------------
  function forms() { return document.querySelectorAll("form.agenda-toggle"); }
  function formKey(form) { return form.dataset.session + "|" + (form.dataset.subject || ""); }

  function show(form, inAgenda) {
    var button = form.querySelector("button");
    var compact = button.classList.contains("compact");
    button.setAttribute("aria-pressed", inAgenda ? "true" : "false");
    button.querySelector(".agenda-state").textContent = inAgenda
      ? (compact ? "✓ In my agenda" : "✓ In my agenda · remove")
      : "+ Add to my agenda";
    form.querySelector("input[name=action]").value = inAgenda ? "remove" : "add";
  }

  function markLocal() {
    var keys = localKeys();
    forms().forEach(function (form) { show(form, !!keys[formKey(form)]); });
  }

  function toggleLocal(form) {
    var items = load();
    var key = formKey(form);
    var kept = items.filter(function (item) { return keyOf(item) !== key; });
    var adding = kept.length === items.length;
    if (adding) {
      kept.push({ session: Number(form.dataset.session), subject: form.dataset.subject || "", label: form.dataset.label || "" });
    }
    save(kept);
    forms().forEach(function (other) { if (formKey(other) === key) show(other, adding); });
    renderBrowserAgenda();
  }

  function toggleOnServer(form) {
    var button = form.querySelector("button");
    button.setAttribute("aria-busy", "true");
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/json", "X-CSRFToken": csrfToken() },
      credentials: "same-origin",
    })
      .then(function (response) { return response.json().then(function (data) { return [response.ok, data]; }); })
      .then(function (result) {
        button.removeAttribute("aria-busy");
        if (!result[0]) { window.alert(result[1].error || "That did not work; please try again."); return; }
        if (document.getElementById("saved-agenda")) { window.location.reload(); return; }
        var key = formKey(form);
        forms().forEach(function (other) { if (formKey(other) === key) show(other, result[1].in_agenda); });
      })
      .catch(function () { button.removeAttribute("aria-busy"); form.submit(); });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("agenda-toggle")) return;
    event.preventDefault();
    if (config.authenticated) toggleOnServer(form); else toggleLocal(form);
  });

  // --- the agenda page for anonymous visitors ----------------------------------------
  function renderBrowserAgenda() {
    var container = document.getElementById("browser-agenda");
    if (!container) return;
    var encoded = encodeURIComponent(JSON.stringify(load()));
    var download = document.getElementById("browser-download");
    if (download) download.href = download.dataset.base + "?items=" + encoded;
    fetch(container.dataset.url + "?items=" + encoded, { credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        container.innerHTML = html;
        markLocal();
      });
  }

  // --- merging on login ----------------------------------------------------------------
  function mergeLocal() {
    var items = load();
    if (!items.length || !config.mergeUrl) return;
    fetch(config.mergeUrl, {
      method: "POST",
      body: JSON.stringify({ items: items }),
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken() },
      credentials: "same-origin",
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return;
        save([]);
        if (data.added && document.getElementById("saved-agenda")) { window.location.reload(); return; }
        var keys = {};
        (data.keys || []).forEach(function (key) { keys[key] = true; });
        forms().forEach(function (form) { if (keys[formKey(form)]) show(form, true); });
      });
  }

  // --- the "now" line on today's page ----------------------------------------------------
  function moveNowLine() {
    var list = document.querySelector("#day-list[data-today]");
    if (!list) return;
    var line = document.getElementById("now-line");
    if (!line) {
      line = document.createElement("li");
      line.className = "now-line";
      line.id = "now-line";
      line.appendChild(document.createElement("span"));
    }
    var now = Date.now() / 1000;
    var rows = list.querySelectorAll(".session-row");
    var before = null;
    for (var i = 0; i < rows.length; i++) {
      var start = Number(rows[i].dataset.start);
      var end = Number(rows[i].dataset.end);
      rows[i].classList.toggle("is-live", start <= now && now < end);
      if (!before && start > now) before = rows[i];
    }
    // "Now · 14:25 UTC", as the server renders it: 24-hour, the zone named by the page's
    // own abbreviation (the server's label for its zone, kept when there is one).
    try {
      var zone = document.getElementById("tz-current").dataset.zone;
      var time = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone }).format(new Date());
      var abbr = line.querySelector("abbr.zone");
      if (!abbr) {
        var shown = document.querySelector(".tz-abbr");
        abbr = document.createElement("abbr");
        abbr.className = "zone";
        abbr.title = zone;
        abbr.textContent = shown ? shown.textContent.replace(/[()]/g, "").trim() : zone;
      }
      var span = line.firstChild;
      span.textContent = "Now · " + time + " ";
      span.appendChild(abbr);
    } catch (e) { /* unknown zone in this browser: the server's label stays */ }
    list.insertBefore(line, before);
  }

  // The page is the same for everyone: this visitor's marks come with their state.
  (window.portalState || Promise.resolve(null)).then(function (state) {
    config.authenticated = !!(state && state.user.authenticated);
    if (state) token = state.csrf;
    if (config.authenticated) {
      var keys = {};
      state.agenda.forEach(function (key) { keys[key] = true; });
      forms().forEach(function (form) { show(form, !!keys[formKey(form)]); });
      mergeLocal();
    } else {
      markLocal();
    }
    renderBrowserAgenda();
  });
  if (document.querySelector("#day-list[data-today]")) window.setInterval(moveNowLine, 60 * 1000);
})();
