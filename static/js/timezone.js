// The viewer's time zone. Without this script the picker is a plain form that posts a
// zone name. With it, the picker suggests every zone the browser knows (Intl), and on a
// first visit the page offers the browser's own zone: the server cannot know it, and
// the `tz` cookie set by the form carries the choice from then on.
(function () {
  "use strict";
  var current = document.getElementById("tz-current");
  if (!current) return;

  var list = document.getElementById("tz-options");
  var switcher = document.getElementById("tz-switch");
  var input = document.getElementById("tz-input");

  function fillZones() {
    if (!list || list.children.length || typeof Intl.supportedValuesOf !== "function") return;
    var zones = Intl.supportedValuesOf("timeZone");
    if (zones.indexOf("UTC") < 0) zones.push("UTC");
    var fragment = document.createDocumentFragment();
    zones.forEach(function (zone) {
      var option = document.createElement("option");
      option.value = zone;
      fragment.appendChild(option);
    });
    list.appendChild(fragment);
  }

  if (switcher) {
    switcher.addEventListener("toggle", function () {
      if (!switcher.open) return;
      fillZones();
      if (input) {
        input.focus();
        input.select();
      }
    });
  }

  var guess;
  try {
    guess = Intl.DateTimeFormat().resolvedOptions().timeZone;
    // Browsers still report some zones by their old names; offer the current ones.
    guess = {
      "Asia/Calcutta": "Asia/Kolkata", "Asia/Saigon": "Asia/Ho_Chi_Minh", "Asia/Katmandu": "Asia/Kathmandu",
      "Asia/Rangoon": "Asia/Yangon", "Europe/Kiev": "Europe/Kyiv", "Atlantic/Faeroe": "Atlantic/Faroe",
      "America/Buenos_Aires": "America/Argentina/Buenos_Aires", "Pacific/Truk": "Pacific/Chuuk"
    }[guess] || guess;
  } catch (e) {
    return;
  }
  if (!guess || current.dataset.chosen === "1" || guess === current.dataset.zone) return;
  var offer = document.getElementById("tz-offer");
  if (!offer) return;
  offer.querySelectorAll(".tz-guess").forEach(function (node) { node.textContent = guess; });
  offer.querySelector(".tz-guess-input").value = guess;
  offer.hidden = false;
})();
