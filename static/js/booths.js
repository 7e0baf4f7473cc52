// A booth's page: this visitor's call link and host controls, from /me/state.json's
// "booths" part (booths/state.py). The page itself is the same for everyone.
(function () {
  "use strict";
  if (!window.portalState) return;
  window.portalState.then(function (state) {
    var booths = (state && state.booths) || {};
    document.querySelectorAll("[data-booth-call]").forEach(function (node) {
      var booth = booths[node.dataset.boothCall];
      if (!booth) return;
      var call = booth.call;
      if (call.url) {
        node.textContent = "";
        var link = document.createElement("a");
        link.href = call.url;
        link.className = "join";
        link.rel = "noopener";
        link.target = "_blank";
        link.setAttribute("role", "button");
        link.textContent = "Join the video call";
        node.appendChild(link);
      } else if (call.state === "not_allowed" && call.reason) {
        node.textContent = call.reason;
      }
    });
    document.querySelectorAll("[data-booth-host]").forEach(function (node) {
      var booth = booths[node.dataset.boothHost];
      if (booth && booth.host) node.hidden = false;
    });
  });
})();
