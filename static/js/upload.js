// Author uploads with a progress bar (XMLHttpRequest upload progress); without JS the
// forms post normally. While a video is processing, the status is polled.
(function () {
  "use strict";
  var state = document.getElementById("recording-state");
  var uploading = 0; // uploads in flight on this page: a reload would cut them off

  function pollStatus() {
    if (!state) return;
    fetch(state.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        // Done: the page is reloaded to show the new version (its player and files), unless
        // another upload is under way; the status is not shown as done before the reload,
        // so nobody starts an upload on a page about to go.
        if (data.status !== "processing" && state.dataset.waiting && !uploading) {
          window.location.reload();
          return;
        }
        var status = document.getElementById("recording-status");
        status.textContent = data.status_label;
        status.className = "status status-" + data.status;
        if (data.status === "processing") setTimeout(pollStatus, 2000);
      });
  }

  document.querySelectorAll("form.upload-form").forEach(function (form) {
    var bar = form.querySelector("progress");
    var message = form.querySelector(".upload-message");
    var button = form.querySelector("button");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      bar.hidden = false;
      bar.value = 0;
      button.disabled = true;
      uploading += 1;
      message.textContent = "Uploading…";
      message.classList.remove("error");
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          bar.value = Math.round((e.loaded / e.total) * 100);
          message.textContent = "Uploading… " + bar.value + "%";
        }
      });
      xhr.addEventListener("load", function () {
        button.disabled = false;
        uploading -= 1;
        var data = {};
        try { data = JSON.parse(xhr.responseText); } catch (e) { data = { error: "The server answered " + xhr.status + "." }; }
        if (xhr.status >= 200 && xhr.status < 300) {
          bar.value = 100;
          if (form.dataset.kind === "video") {
            message.textContent = "Uploaded. Processing… (this page updates when it is done)";
            state.dataset.waiting = "1";
            pollStatus();
          } else {
            // Slides and captions are ready at once: say so here rather than reload the page
            // (a reload would take the message away).
            message.textContent = "Uploaded.";
            var shown = document.getElementById(form.dataset.kind + "-status");
            if (shown && data[form.dataset.kind]) shown.textContent = "uploaded";
          }
        } else {
          bar.hidden = true;
          message.textContent = data.error || ("The upload failed (" + xhr.status + ").");
          message.classList.add("error");
        }
      });
      xhr.addEventListener("error", function () {
        button.disabled = false;
        uploading -= 1;
        bar.hidden = true;
        message.textContent = "The upload was interrupted (network error). Nothing was changed; try again.";
        message.classList.add("error");
      });
      xhr.send(new FormData(form));
    });
  });
})();
