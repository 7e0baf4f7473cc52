// The recording player: Plyr (vendored) over a plain <video>, which works without JS.
// Adds quality choice (renditions), captions, speed, keyboard control, and an
// audio-only low-bandwidth mode remembered in this browser.
(function () {
  "use strict";
  var KEY = "portal.lowBandwidth";

  function remembered() {
    try { return localStorage.getItem(KEY) === "1"; } catch (e) { return false; }
  }
  function remember(on) {
    try { localStorage.setItem(KEY, on ? "1" : "0"); } catch (e) { /* private mode */ }
  }

  function setup(block) {
    var video = block.querySelector("video.recording-player");
    if (!video) return;
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
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
