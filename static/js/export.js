// The static export (portal/export): what the server did for a live page, done in the
// reader's browser. Works from any static host, a sub-path, and file://.
//  - Times: the pages are rendered in UTC; every <time datetime> is shown in the
//    browser's zone (Intl), with the zone named; the UTC text stays in its title.
//  - Papers: search and the keyword / poster-session filters over the index that the
//    export wrote (papers/search-index.js: window.portalPaperIndex), with the filters in
//    the URL (?q=&keyword=&session=) so links to a keyword keep working.
(function () {
  "use strict";
  var zone = (Intl.DateTimeFormat().resolvedOptions().timeZone) || "UTC";

  function zoneAbbr(date) {
    try {
      var part = new Intl.DateTimeFormat("en-GB", { timeZone: zone, timeZoneName: "short" })
        .formatToParts(date).filter(function (p) { return p.type === "timeZoneName"; })[0];
      return part ? part.value : zone;
    } catch (e) { return zone; }
  }

  function ymd(date, tz) {
    return new Intl.DateTimeFormat("en-CA", { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit" }).format(date);
  }

  function localTimes() {
    var last = null;
    document.querySelectorAll("time[datetime]").forEach(function (el) {
      var iso = el.getAttribute("datetime");
      if (iso.length <= 10) return; // a date alone has no zone
      var date = new Date(iso);
      if (isNaN(date)) return;
      var text = el.textContent.replace(/\s+\S+$/, "").trim(); // without the zone's abbreviation, if any
      var options = { timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
      // A time alone stands under a UTC day's heading: it gains its local date when that differs.
      if (!/^\d{1,2}:\d{2}$/.test(text) || ymd(date, zone) !== ymd(date, "UTC")) {
        options.weekday = "short"; options.day = "numeric"; options.month = "short";
        if (/\b\d{4}\b/.test(text)) options.year = "numeric";
      }
      if (!el.title) el.title = el.textContent.trim() + " (UTC)";
      var abbr = el.querySelector("abbr.zone");
      var shown = new Intl.DateTimeFormat("en-GB", options).format(date);
      el.textContent = shown;
      if (abbr) { el.appendChild(document.createTextNode(" ")); el.appendChild(abbr); }
      last = date;
    });
    document.querySelectorAll("abbr.zone").forEach(function (abbr) {
      var time = abbr.closest("time") || (abbr.previousElementSibling && abbr.previousElementSibling.matches("time") ? abbr.previousElementSibling : null);
      var date = time ? new Date(time.getAttribute("datetime")) : last || new Date();
      abbr.textContent = zoneAbbr(date);
      abbr.title = zone;
    });
    document.querySelectorAll("[data-export-zone]").forEach(function (el) { el.textContent = zone; });
  }

  // --- papers -------------------------------------------------------------------------
  var PAGE = 50;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }

  function papers() {
    var index = window.portalPaperIndex;
    var form = document.getElementById("paper-filters");
    var results = document.getElementById("paper-results");
    if (!index || !form || !results) return;
    var q = form.querySelector("#paper-q");
    var keyword = form.querySelector("#paper-keyword");
    var session = form.querySelector('select[name="session"]');
    // What the static copy cannot do (day, sort, view) is left out rather than ignored.
    form.querySelectorAll('select[name="day"], select[name="sort"], select[name="view"]').forEach(function (s) {
      var label = s.closest("label"); if (label) label.hidden = true;
    });
    // The index holds titles, authors, keywords and TL;DRs (not whole abstracts: it stays small).
    if (q) q.setAttribute("placeholder", "Search titles, authors, keywords, TL;DRs");
    var params = new URLSearchParams(location.search);
    if (q) q.value = params.get("q") || "";
    if (keyword) keyword.value = params.get("keyword") || "";
    if (session) session.value = params.get("session") || "";
    var shown = PAGE;
    var haystacks = index.papers.map(function (p) {
      return [p.t, p.a, p.d, p.k.map(function (k) { return index.keywords[k] || k; }).join(" ")].join(" ").toLowerCase();
    });

    function matches() {
      var words = (q ? q.value : "").toLowerCase().split(/\s+/).filter(Boolean);
      var k = keyword ? keyword.value.trim() : "";
      var s = session && session.value ? parseInt(session.value, 10) : null;
      return index.papers.filter(function (p, i) {
        if (k && p.k.indexOf(k) < 0) return false;
        if (s !== null && p.s.indexOf(s) < 0) return false;
        return words.every(function (w) { return haystacks[i].indexOf(w) >= 0; });
      });
    }

    function card(p) {
      var li = el("li");
      var article = el("article", { class: "paper-card" });
      var h = el("h2", { class: "paper-title" });
      h.appendChild(el("a", { href: p.u }, p.t));
      article.appendChild(h);
      article.appendChild(el("p", { class: "authors" }, p.a));
      if (p.d) article.appendChild(el("p", { class: "tldr" }, p.d));
      if (p.k.length) {
        var ul = el("ul", { class: "keywords", "aria-label": "Keywords" });
        p.k.forEach(function (slug) {
          var item = el("li");
          item.appendChild(el("a", { class: "chip", href: "?keyword=" + encodeURIComponent(slug) }, index.keywords[slug] || slug));
          ul.appendChild(item);
        });
        article.appendChild(ul);
      }
      li.appendChild(article);
      return li;
    }

    function render(keepShown) {
      if (!keepShown) shown = PAGE;
      var found = matches();
      results.textContent = "";
      var count = el("p", { class: "result-count export-search-status", id: "result-count" });
      count.appendChild(el("strong", null, String(found.length)));
      var k = keyword && keyword.value.trim();
      count.appendChild(document.createTextNode(" paper" + (found.length === 1 ? "" : "s") +
        (q && q.value.trim() ? " for “" + q.value.trim() + "”" : "") +
        (k ? " with keyword " + (index.keywords[k] || k) : "") +
        (session && session.value ? " in " + (index.sessions[session.value] || "that session") : "")));
      results.appendChild(count);
      if (!found.length) { results.appendChild(el("p", { class: "empty" }, "No paper matches. Try fewer words.")); return; }
      var list = el("ol", { class: "paper-cards" });
      found.slice(0, shown).forEach(function (p) { list.appendChild(card(p)); });
      results.appendChild(list);
      if (found.length > shown) {
        var more = el("button", { type: "button", class: "secondary" }, "Show more (" + (found.length - shown) + " left)");
        more.addEventListener("click", function () { shown += PAGE; render(true); });
        results.appendChild(more);
      }
    }

    function remember() {
      var next = new URLSearchParams();
      if (q && q.value.trim()) next.set("q", q.value.trim());
      if (keyword && keyword.value.trim()) next.set("keyword", keyword.value.trim());
      if (session && session.value) next.set("session", session.value);
      var query = next.toString();
      try { history.replaceState(null, "", location.pathname + (query ? "?" + query : "")); } catch (e) { /* file:// in some browsers */ }
    }

    // Rendered again only when the filters change ("change" also fires on leaving a field,
    // and re-rendering then would take away the link being clicked).
    var last = null;
    function update() {
      var now = [q ? q.value : "", keyword ? keyword.value : "", session ? session.value : ""].join("\u0000");
      if (now === last) return;
      last = now;
      render();
      remember();
    }
    form.addEventListener("submit", function (event) { event.preventDefault(); update(); });
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    update();
  }

  function init() { localTimes(); papers(); }
  // After every deferred script (the papers' index is one, loaded after this one).
  if (document.readyState === "complete") init();
  else document.addEventListener("DOMContentLoaded", init);
})();
