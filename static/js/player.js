// The recording player: Plyr (vendored) over a plain <video>, which works without JS.
// Adds quality choice (renditions), captions, speed, keyboard control, and an
// audio-only low-bandwidth mode remembered in this browser; and media mirrors: when every
// source fails, the next mirror (data-mirrors, base URLs holding the same paths) is tried,
// and "Another server" switches by hand.
(function () {
  "use strict";
  var KEY = "portal.lowBandwidth";

  function remembered() {
    try { return localStorage.getItem(KEY) === "1"; } catch (e) { return false; }
  }
  function remember(on) {
    try { localStorage.setItem(KEY, on ? "1" : "0"); } catch (e) { /* private mode */ }
  }

  // Mirrors: server 0 is the page's own sources; server n is data-mirrors' n-th base + each source's data-path.
  function mirrors(block, video) {
    var bases = (video.dataset.mirrors || "").split(/\s+/).filter(Boolean);
    if (!bases.length) return;
    var sources = Array.prototype.slice.call(video.querySelectorAll("source"));
    var firstSrc = sources.map(function (s) { return s.getAttribute("src"); });
    var button = block.querySelector(".another-server");
    var status = block.querySelector(".mirror-status");
    var current = 0;
    var handled = -1; // the server whose failure was acted on (an error can be seen twice)
    function use(server, why) {
      handled = -1;
      var at = video.currentTime || 0;
      var playing = !video.paused;
      // Plyr plays a chosen quality through video.src (which <source> children then no longer
      // override): that address moves to the new server too.
      var chosen = video.getAttribute("src");
      current = server;
      sources.forEach(function (source, i) {
        var before = source.getAttribute("src");
        var after = server === 0 ? firstSrc[i] : bases[server - 1] + source.dataset.path;
        if (chosen && chosen === before) chosen = after;
        source.setAttribute("src", after);
      });
      if (chosen) video.setAttribute("src", chosen);
      // Another origin: a plain request (a CORS one needs the mirror's consent).
      if (server > 0) video.removeAttribute("crossorigin");
      video.dataset.server = String(server);
      if (status) status.textContent = why + (server === 0 ? "the main server." : "server " + (server + 1) + " of " + (bases.length + 1) + ".");
      video.load();
      if (at) video.addEventListener("loadedmetadata", function seek() { video.currentTime = at; video.removeEventListener("loadedmetadata", seek); });
      if (playing) video.play().catch(function () {});
    }
    function failed() {
      if (handled === current) return;
      handled = current;
      if (current < bases.length) use(current + 1, "The video did not load; now playing from ");
      else if (status) status.textContent = "The video could not be loaded from any server.";
    }
    // With <source> children the last one failing means this server failed; with video.src
    // (Plyr's quality choice) the video itself reports it.
    var last = sources[sources.length - 1];
    if (last) last.addEventListener("error", failed);
    video.addEventListener("error", function () { if (video.getAttribute("src")) failed(); });
    // Failed before this script ran (the page loads it deferred), or as it ran: the last
    // source's error event can come before this listener while the video does not say
    // NETWORK_NO_SOURCE yet, so look again a moment later.
    function failedAlready() {
      if (current === 0 && video.networkState === HTMLMediaElement.NETWORK_NO_SOURCE) failed();
    }
    failedAlready();
    setTimeout(failedAlready, 250);
    if (button) {
      button.hidden = false;
      button.addEventListener("click", function () { use((current + 1) % (bases.length + 1), "Playing from "); });
    }
  }

  function setup(block) {
    var video = block.querySelector("video.recording-player");
    if (!video || block.dataset.player) return;
    block.dataset.player = "ready";
    mirrors(block, video);
    var player = null;
    if (window.Plyr) {
      var sizes = Array.prototype.map.call(video.querySelectorAll("source"), function (s) {
        return parseInt(s.getAttribute("size"), 10);
      });
      player = new window.Plyr(video, {
        iconUrl: video.dataset.plyrIconUrl,
        blankVideo: "",
        controls: ["play-large", "play", "progress", "current-time", "duration", "mute", "volume",
          "captions", "settings", "fullscreen"],
        settings: ["captions", "quality", "speed"],
        quality: { default: Math.max.apply(null, sizes), options: sizes },
        speed: { selected: 1, options: [0.75, 1, 1.25, 1.5, 1.75, 2] },
        captions: { active: false, language: "en", update: false },
        keyboard: { focused: true, global: false },
        tooltips: { controls: true, seek: true },
        i18n: { qualityLabel: { 0: "Auto" } },
      });
      block.plyr = player;
      video.plyr = player;
    }
    var toggle = block.querySelector(".audio-only-toggle");
    var audioBox = block.querySelector(".recording-audio");
    var videoBox = block.querySelector(".recording-video");
    if (!toggle || !audioBox) return;
    function apply(on) {
      toggle.checked = on;
      audioBox.hidden = !on;
      videoBox.hidden = on;
      if (on) { (player || video).pause(); }
      else { var audio = audioBox.querySelector("audio"); if (audio) audio.pause(); }
    }
    toggle.addEventListener("change", function () { remember(toggle.checked); apply(toggle.checked); });
    apply(remembered() && !toggle.disabled);
  }

  function init() {
    document.querySelectorAll(".recording").forEach(setup);
  }
  // release.js sets up a block that arrives after the page loaded (a release seen live).
  window.portalPlayer = { setup: setup };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
