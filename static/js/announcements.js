// Conference-wide announcements ("Today's 172 videos are out") pushed to every open page
// over /ws/announcements/. Reading the site never depends on it: if the socket cannot
// connect it retries a few times with back-off and then stays quiet.
(function () {
  "use strict";
  var region = document.getElementById("announcements");
  if (!region || typeof WebSocket === "undefined") return;
  var attempts = 0;
  function show(event) {
    var notice = document.createElement("p");
    notice.className = "notice success";
    var text = document.createElement("strong");
    text.textContent = event.text;
    notice.appendChild(text);
    if (event.type === "videos.released") {
      notice.appendChild(document.createTextNode(" "));
      var link = document.createElement("a");
      link.href = "/papers/";
      link.textContent = "Browse the papers";
      notice.appendChild(link);
    }
    region.replaceChildren(notice);
  }
  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + "/ws/announcements/");
    var opened = false;
    socket.onopen = function () { opened = true; };
    socket.onmessage = function (message) {
      try { var event = JSON.parse(message.data); } catch (e) { return; }
      if (event && event.text) show(event);
    };
    socket.onclose = function (event) {
      // 1013 "try again later": accepted, but the server cannot reach its channel layer.
      if (opened && event.code !== 1013) attempts = 0;
      attempts += 1;
      if (attempts <= 6) setTimeout(connect, Math.min(60000, 1000 * Math.pow(2, attempts)));
    };
  }
  connect();
})();
