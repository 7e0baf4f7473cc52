// The viewer's time zone: fill the picker from Intl, and on a first visit offer the
// browser's zone (the server cannot know it; the cookie carries the choice).
(function () {
  "use strict";
  var current = document.getElementById("tz-current");
  if (!current) return;
  var list = document.getElementById("tz-options");
  var switcher = document.getElementById("tz-switch");
  if (list && switcher && typeof Intl.supportedValuesOf === "function") {
    switcher.addEventListener("toggle", function fill() {
      if (list.children.length) return;
      var fragment = document.createDocumentFragment();
      Intl.supportedValuesOf("timeZone").forEach(function (zone) {
        var option = document.createElement("option");
        option.value = zone;
        fragment.appendChild(option);
      });
      list.appendChild(fragment);
    });
  }
  var guess;
  try { guess = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!guess || current.dataset.chosen === "1" || guess === current.dataset.zone) return;
  var offer = document.getElementById("tz-offer");
  if (!offer) return;
  offer.querySelector(".tz-guess").textContent = guess;
  offer.querySelector(".tz-guess-input").value = guess;
  offer.hidden = false;
})();
