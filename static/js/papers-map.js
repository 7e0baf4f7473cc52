// The paper map: every paper as a dot on a canvas, coloured by region.
// Hover or focus shows the title, click or Enter opens the paper, the arrow keys move
// the focus to the nearest paper in that direction; a search (the site's own full-text
// search) and the visitor's bookmarks are highlighted. /papers/map/list/ is the same
// map as plain lists for anyone who prefers them.
(function () {
  "use strict";
  var canvas = document.getElementById("paper-map");
  if (!canvas || !canvas.getContext) return;
  var tooltip = document.getElementById("map-tooltip");
  var focusLine = document.getElementById("map-focus");
  var status = document.getElementById("map-status");
  var searchBox = document.getElementById("map-q");
  var bookmarkBox = document.getElementById("map-bookmarks");
  var ctx = canvas.getContext("2d");
  var points = [], regions = [], matches = null, bookmarks = {}, focused = -1, hovered = -1;
  var grid = {}, CELL = 0.02, PAD = 14;

  function size() {
    var ratio = window.devicePixelRatio || 1;
    var width = canvas.parentElement.clientWidth;
    var height = Math.max(320, Math.min(window.innerHeight * 0.7, width * 0.75));
    canvas.style.width = width + "px";
    canvas.style.height = height + "px";
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    draw();
  }
  function sx(x) { return PAD + x * (canvas.clientWidth - 2 * PAD); }
  function sy(y) { return PAD + y * (canvas.clientHeight - 2 * PAD); }
  function colour(region, alpha) {
    var hue = Math.round((region * 137.508) % 360);
    return "hsla(" + hue + ", 55%, 45%, " + alpha + ")";
  }
  function draw() {
    var w = canvas.clientWidth, h = canvas.clientHeight;
    ctx.clearRect(0, 0, w, h);
    var dim = matches !== null;
    var radius = points.length > 5000 ? 1.6 : 3;
    points.forEach(function (p, i) {
      var hit = dim && matches[p[0]];
      ctx.fillStyle = colour(p[4], dim && !hit ? 0.15 : 0.75);
      ctx.beginPath();
      ctx.arc(sx(p[2]), sy(p[3]), hit ? radius + 2 : radius, 0, 2 * Math.PI);
      ctx.fill();
    });
    if (bookmarkBox && bookmarkBox.checked) {
      ctx.font = "16px sans-serif";
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      points.forEach(function (p) {
        if (!bookmarks[p[0]]) return;
        ctx.fillStyle = "#b8860b";
        ctx.fillText("★", sx(p[2]), sy(p[3]));
      });
    }
    ctx.font = "12px sans-serif";
    ctx.textAlign = "center";
    regions.forEach(function (r) {
      var label = r.label.split(",")[0];
      ctx.lineWidth = 3;
      ctx.strokeStyle = "rgba(255,255,255,0.85)";
      ctx.strokeText(label, sx(r.x), sy(r.y));
      ctx.fillStyle = "#222";
      ctx.fillText(label, sx(r.x), sy(r.y));
    });
    [hovered, focused].forEach(function (i) {
      if (i < 0) return;
      ctx.strokeStyle = "#000";
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.arc(sx(points[i][2]), sy(points[i][3]), 7, 0, 2 * Math.PI);
      ctx.stroke();
    });
  }
  function index() {
    grid = {};
    points.forEach(function (p, i) {
      var key = Math.floor(p[2] / CELL) + ":" + Math.floor(p[3] / CELL);
      (grid[key] = grid[key] || []).push(i);
    });
  }
  function nearestTo(px, py, maxPixels) {
    var x = (px - PAD) / (canvas.clientWidth - 2 * PAD), y = (py - PAD) / (canvas.clientHeight - 2 * PAD);
    var best = -1, bestD = Infinity, cx = Math.floor(x / CELL), cy = Math.floor(y / CELL);
    for (var dx = -2; dx <= 2; dx++) for (var dy = -2; dy <= 2; dy++) {
      (grid[(cx + dx) + ":" + (cy + dy)] || []).forEach(function (i) {
        var d = Math.pow(sx(points[i][2]) - px, 2) + Math.pow(sy(points[i][3]) - py, 2);
        if (d < bestD) { bestD = d; best = i; }
      });
    }
    return bestD <= maxPixels * maxPixels ? best : -1;
  }
  function showTooltip(i, px, py) {
    if (i < 0) { tooltip.hidden = true; return; }
    tooltip.textContent = points[i][1];
    tooltip.style.left = Math.min(px + 12, canvas.clientWidth - 260) + "px";
    tooltip.style.top = (py + 12) + "px";
    tooltip.hidden = false;
  }
  function focusOn(i) {
    focused = i;
    if (i >= 0) {
      focusLine.textContent = points[i][1] + (bookmarks[points[i][0]] ? " (bookmarked)" : "") + " — press Enter to open.";
      showTooltip(i, sx(points[i][2]), sy(points[i][3]));
    }
    draw();
  }
  // A paper's page sits beside the map's data (/papers/map.json → /papers/<uid>/): so it
  // works in the static export too, from a sub-path, where pages end in index.html.
  function open(i) {
    if (i < 0) return;
    var base = new URL(canvas.dataset.source, window.location.href);
    window.location.href = new URL(encodeURIComponent(points[i][0]) + "/" + (canvas.dataset.pageSuffix || ""), base).href;
  }
  function step(dx, dy) {
    if (focused < 0) { focusOn(nearestTo(canvas.clientWidth / 2, canvas.clientHeight / 2, 1e9)); return; }
    var from = points[focused], best = -1, bestScore = Infinity;
    points.forEach(function (p, i) {
      if (i === focused) return;
      var vx = p[2] - from[2], vy = p[3] - from[3];
      var along = vx * dx + vy * dy;
      if (along <= 0) return;
      var across = Math.abs(vx * dy - vy * dx);
      var score = along + 2 * across;
      if (score < bestScore) { bestScore = score; best = i; }
    });
    if (best >= 0) focusOn(best);
  }

  canvas.addEventListener("mousemove", function (e) {
    var rect = canvas.getBoundingClientRect();
    var px = e.clientX - rect.left, py = e.clientY - rect.top;
    hovered = nearestTo(px, py, 10);
    canvas.style.cursor = hovered >= 0 ? "pointer" : "default";
    showTooltip(hovered, px, py);
    draw();
  });
  canvas.addEventListener("mouseleave", function () { hovered = -1; tooltip.hidden = true; draw(); });
  canvas.addEventListener("click", function (e) {
    var rect = canvas.getBoundingClientRect();
    open(nearestTo(e.clientX - rect.left, e.clientY - rect.top, 10));
  });
  canvas.addEventListener("keydown", function (e) {
    var moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    if (moves[e.key]) { e.preventDefault(); step(moves[e.key][0], moves[e.key][1]); }
    else if (e.key === "Enter") { e.preventDefault(); open(focused); }
    else if (e.key === "Escape") { focused = -1; tooltip.hidden = true; focusLine.textContent = ""; draw(); }
  });
  canvas.addEventListener("focus", function () { if (focused < 0) step(0, 0); });

  var timer = null;
  function search() {
    var q = searchBox.value.trim();
    if (!q) { matches = null; status.textContent = ""; draw(); return; }
    fetch(canvas.dataset.source + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        matches = {};
        data.matches.forEach(function (uid) { matches[uid] = true; });
        status.textContent = data.matches.length + " paper" + (data.matches.length === 1 ? "" : "s") + " match.";
        draw();
      });
  }
  if (searchBox) {
    searchBox.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(search, 250); });
    searchBox.form.addEventListener("submit", function (e) { e.preventDefault(); search(); });
  }
  if (bookmarkBox) bookmarkBox.addEventListener("change", draw);

  function loadBookmarks() {
    // The visitor's stars: their account's from /me/state.json, or the browser's list
    // (papers.js, which runs first, keeps it) for an anonymous visitor. Waiting for the
    // state, never guessing: asking the account's list before knowing who is here gave
    // an anonymous visitor a 401.
    return (window.portalState || Promise.resolve(null)).then(function (state) {
      var store = window.portalBookmarks;
      var uids = state && state.user.authenticated ? state.stars || [] : store ? store.stored() : [];
      uids.forEach(function (u) { bookmarks[u] = true; });
    });
  }

  fetch(canvas.dataset.source, { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (data) {
      points = data.points;
      regions = data.regions || [];
      index();
      size();
      return loadBookmarks();
    })
    .then(function () {
      draw();
      var wanted = decodeURIComponent((window.location.hash || "").slice(1));
      if (wanted) {
        for (var i = 0; i < points.length; i++) if (points[i][0] === wanted) { focusOn(i); break; }
      }
      // Focused before the points arrived (or before this script ran): announce now.
      if (focused < 0 && document.activeElement === canvas) step(0, 0);
    });
  window.addEventListener("resize", size);
})();
