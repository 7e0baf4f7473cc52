// "Meet someone now" over /ws/people/queue/ (people/consumers.py). The server sends the
// whole state on connect and on every change; this only draws it and sends the
// person's choices. Without JavaScript the page's forms do the same (and it refreshes
// while waiting). Reconnects with back-off; a reconnect gets the full state.
(function () {
  "use strict";
  var root = document.querySelector("[data-meet]");
  if (!root || !window.WebSocket) return;
  var socket = null, backoff = 1000, countdown = null;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function names(people) { return people.map(function (p) { return p.name; }).join(" and "); }
  function send(frame) { if (socket && socket.readyState === 1) socket.send(JSON.stringify(frame)); }
  function button(label, cls, onClick) {
    var b = el("button", { type: "button", class: cls || "" }, label);
    b.addEventListener("click", onClick);
    return b;
  }
  function notice(text) {
    var old = root.querySelector("[data-meet-error]");
    if (old) old.remove();
    var p = el("p", { class: "notice error", role: "alert", "data-meet-error": "" }, text);
    root.insertBefore(p, root.firstChild);
  }
  function personList(people) {
    var ul = el("ul");
    people.forEach(function (p) {
      var li = el("li");
      li.appendChild(el("a", { href: p.url }, p.name));
      var extra = (p.affiliation ? ", " + p.affiliation : "") + (p.interests.length ? " — " + p.interests.join(", ") : "");
      li.appendChild(document.createTextNode(extra));
      ul.appendChild(li);
    });
    return ul;
  }

  function draw(state) {
    if (root.querySelector("[data-meet-problem]")) return;
    if (countdown) { clearInterval(countdown); countdown = null; }
    root.dataset.status = state.status;
    var join = root.querySelector("[data-meet-join]");
    Array.prototype.slice.call(root.children).forEach(function (child) {
      if (child !== join) child.remove();
    });
    if (join) join.hidden = state.status === "waiting" || state.status === "offered";
    var box = el("section", { "data-meet-live": "" });
    if (state.status === "waiting") {
      box.appendChild(el("h2", {}, "You are in the queue"));
      box.appendChild(el("p", {}, (state.waiting.topic ? "Topic: " + state.waiting.topic + ". " : "") +
        state.waiting.ahead + " waiting ahead of you. We'll show your match here."));
      box.appendChild(button("Leave the queue", "secondary", function () { send({ type: "queue.leave" }); }));
    } else if (state.status === "offered") {
      var offer = state.offer;
      box.className = "meet-offer";
      box.appendChild(el("h2", {}, "You could meet " + names(offer.people)));
      box.appendChild(personList(offer.people));
      if (offer.shared) box.appendChild(el("p", {}, "In common: " + offer.shared));
      var left = el("strong", { "data-meet-seconds": "" }, String(offer.seconds_left));
      var p = el("p", {}, "Answer within ");
      p.appendChild(left);
      p.appendChild(document.createTextNode(" seconds."));
      box.appendChild(p);
      var deadline = Date.parse(offer.answer_by);
      countdown = setInterval(function () {
        left.textContent = String(Math.max(0, Math.round((deadline - Date.now()) / 1000)));
      }, 1000);
      box.appendChild(button("Accept", "", function () { send({ type: "match.accept", match: offer.match }); }));
      box.appendChild(document.createTextNode(" "));
      box.appendChild(button("Skip", "secondary", function () { send({ type: "match.skip", match: offer.match }); }));
    } else if (state.status === "matched") {
      box.className = "meet-room";
      box.appendChild(el("h2", {}, "You met " + names(state.room.people)));
      if (state.room.url) {
        var a = el("a", { href: state.room.url, role: "button", "data-meet-room-link": "" }, "Go to your private room");
        box.appendChild(el("p")).appendChild(a);
      }
    }
    root.insertBefore(box, join || null);
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/ws/people/queue/");
    socket.addEventListener("message", function (event) {
      var frame = JSON.parse(event.data);
      if (frame.type === "queue.state") { backoff = 1000; draw(frame); }
      else if (frame.type === "error") notice(frame.detail);
    });
    socket.addEventListener("close", function () {
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 30000);
    });
  }

  var form = root.querySelector("[data-meet-join]");
  if (form) {
    form.addEventListener("submit", function (event) {
      if (!socket || socket.readyState !== 1) return; // the form posts without the socket
      event.preventDefault();
      var size = form.querySelector('[name="group_size"]');
      send({ type: "queue.join", topic: form.querySelector('[name="topic"]').value, group_size: parseInt(size.value, 10) });
    });
  }
  connect();
})();
