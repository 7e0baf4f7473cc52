// A recording promised for an instant ("will be available from 02:00"): when the instant
// passes, the promise says the recording is on its way, and this page asks for its own
// address again every few seconds (nginx's shared copy: cheap) until that copy has the
// recording, then puts the new block in place, player included. Shared copies of a page
// end up to PORTAL_PUBLIC_CHANGE_SPREAD_SECONDS after the release (portal.public.max_age),
// so a visitor waits that long at most, without reloading. Without JavaScript the promise
// stays as it was, and a reload shows the recording.
//
// The block to replace is the promise's closest ancestor with an id; the new copy of the
// page has the element with the same id.
(function () {
  "use strict";
  if (window.portalRelease) return; // the block includes this script once per recording
  window.portalRelease = true;

  var EVERY_MS = 5000; // between two looks
  var SOON_MS = 1500; // when nginx said its copy is being refreshed right now
  var GIVE_UP_MS = 180000; // after the instant: then the visitor is asked to reload
  var LONGEST_WAIT_MS = 86400000; // setTimeout's range is ~24 days; a page open a day is reloaded anyway

  function instantOf(pending) {
    var time = pending.querySelector("time[datetime]");
    var at = time ? Date.parse(time.getAttribute("datetime")) : NaN;
    return isNaN(at) ? null : at;
  }

  function say(pending, text) {
    pending.textContent = text;
  }

  var ASSETS = 'link[rel="stylesheet"][href], script[src]';
  function assetUrl(node) {
    return new URL(node.getAttribute(node.tagName === "SCRIPT" ? "src" : "href"), location.href).href;
  }
  function assetsOf(root) {
    var have = {};
    root.querySelectorAll(ASSETS).forEach(function (node) { have[assetUrl(node)] = true; });
    return have;
  }

  // Stylesheets and scripts of the new copy that this page lacks (the player's), added in
  // order; resolves when the scripts have run (a stylesheet need not hold up the player).
  function addMissing(doc, have) {
    var chain = Promise.resolve();
    doc.querySelectorAll(ASSETS).forEach(function (node) {
      var url = assetUrl(node);
      if (have[url]) return;
      have[url] = true;
      if (node.tagName !== "SCRIPT") {
        var sheet = document.createElement("link");
        sheet.rel = "stylesheet";
        sheet.href = url;
        document.head.appendChild(sheet);
        return;
      }
      chain = chain.then(function () {
        return new Promise(function (resolve) {
          var script = document.createElement("script");
          script.src = url;
          script.async = false;
          script.onload = script.onerror = function () { resolve(); };
          document.head.appendChild(script);
        });
      });
    });
    return chain;
  }

  function watch(pending) {
    var at = instantOf(pending);
    var block = pending.closest("[id]");
    if (at === null || !block || pending.dataset.releaseWatched) return;
    pending.dataset.releaseWatched = "1";
    var wait = at - Date.now();
    if (wait > LONGEST_WAIT_MS) return;
    setTimeout(function () { arrived(pending, block, at); }, Math.max(0, wait));
  }

  function arrived(pending, block, at) {
    say(pending, pending.dataset.arriving || "Released: it appears here in a moment.");
    var giveUp = at + GIVE_UP_MS;
    var refreshing = false;

    function look() {
      fetch(location.href, { cache: "no-store", credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) {
          // STALE or UPDATING: nginx sent its previous copy while Django renders the next.
          refreshing = /^(STALE|UPDATING)$/.test(response.headers.get("X-Cache-Status") || "");
          return response.ok ? response.text() : null;
        })
        .then(function (html) {
          if (html === null) return again();
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.getElementById(block.id);
          var still = fresh && fresh.querySelector(".recording-pending time[datetime]");
          if (!fresh || (still && Date.parse(still.getAttribute("datetime")) === at)) return again();
          var have = assetsOf(document);
          var node = document.importNode(fresh, true);
          block.replaceWith(node);
          addMissing(doc, have).then(function () {
            var players = node.matches(".recording") ? [node] : [];
            node.querySelectorAll(".recording").forEach(function (b) { players.push(b); });
            if (window.portalPlayer) players.forEach(window.portalPlayer.setup);
          });
          node.querySelectorAll(".recording-pending").forEach(watch); // promised again, for later
        })
        .catch(again);
    }

    function again() {
      if (Date.now() + EVERY_MS > giveUp) {
        say(pending, "It has not reached this page yet: reload the page in a minute or two.");
        return;
      }
      setTimeout(look, refreshing ? SOON_MS : EVERY_MS);
    }

    // Visitors whose pages were open at the instant do not all ask in the same second.
    setTimeout(look, 1000 + Math.random() * 3000);
  }

  function init() { document.querySelectorAll(".recording-pending").forEach(watch); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
