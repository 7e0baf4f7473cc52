// A workshop's page: the link to each talk's upload page, for those who may upload its
// recording (organisers, the uploaders an organiser added), from /me/state.json's "talks"
// part (booths/state.py). The page itself is the same for everyone and never holds it.
(function () {
  "use strict";
  if (!window.portalState) return;
  window.portalState.then(function (state) {
    var talks = (state && state.talks) || {};
    document.querySelectorAll("[data-state-part=talks]").forEach(function (item) {
      var me = talks[item.dataset.stateKey];
      var slot = item.querySelector("[data-talk-upload]");
      if (!me || !me.uploader || !slot) return;
      var link = document.createElement("a");
      link.href = me.upload_url;
      link.textContent = "Upload this talk's recording, slides or captions";
      slot.textContent = "";
      slot.appendChild(link);
      slot.hidden = false;
    });
  });
})();
