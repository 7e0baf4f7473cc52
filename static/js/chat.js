/* The live chat panel: upgrades every [data-chat-room] rendered by {% chat_room %}.
 *
 * Protocol: chat/consumers.py. What this file promises the reader:
 * - messages are kept by id and shown in id order: a reconnect fetches what was missed
 *   (history API, ?after=<last id>), so there are no gaps and no duplicates;
 * - a post has a client_id; it is resent (same id) until the server acknowledges it, over
 *   the socket or, while the socket is down, over HTTP; a refusal is shown beside it.
 *   Nothing the person typed disappears silently;
 * - the socket reconnects with exponential back-off and jitter, and says so;
 * - times are shown in the viewer's chosen zone (data-zone), with the zone named.
 * No build step, no dependencies.
 */
(function () {
  "use strict";

  var REASONS = [
    ["harassment", "Harassment or abuse"],
    ["spam", "Spam or advertising"],
    ["off_topic", "Off topic"],
    ["conduct", "Breaks the code of conduct"],
    ["other", "Something else"],
  ];
  var MAX_LENGTH = 2000;
  var ACK_TIMEOUT = 8000;
  var MAX_BACKOFF = 30000;

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      if (k === "className") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function Room(root) {
    this.root = root;
    this.key = root.dataset.chatRoom;
    this.me = root.dataset.me ? Number(root.dataset.me) : null;
    this.moderator = root.dataset.moderator === "1";
    this.canPost = root.dataset.canPost === "1";
    this.csrf = root.dataset.csrf;
    this.editWindow = Number(root.dataset.editWindow || 600) * 1000;
    this.list = root.querySelector("[data-messages]");
    this.scroller = root.querySelector("[data-scroller]") || this.list;
    this.status = root.querySelector("[data-status]");
    this.notice = root.querySelector("[data-notice]");
    this.presentEl = root.querySelector("[data-present]");
    this.messages = new Map(); // id -> <message>
    this.pending = new Map(); // client_id -> {body, reply_to, state, detail, timer}
    this.lastId = 0;
    this.attempt = 0;
    this.socket = null;
    this.hadState = false;
    this.replyTo = null;
    this.stopped = false;
    this.setUpTime();
    this.adoptServerRendered();
    this.bindComposer();
    this.bindOlder();
    this.connect();
    var self = this;
    window.addEventListener("online", function () { if (!self.isOpen()) self.connectSoon(0); });
  }

  // Times read as the server renders them (the `when` filter, "D H:i"): "Mon 14:25 UTC",
  // in the viewer's zone (data-zone), named by the server's abbreviations (when.js).
  Room.prototype.setUpTime = function () {
    var abbrs = {};
    try {
      abbrs = JSON.parse(this.root.dataset.zoneAbbrs || "{}");
    } catch (e) { abbrs = {}; }
    this.when = window.portalTime(this.root.dataset.zone || "UTC", abbrs);
  };

  Room.prototype.timeElement = function (iso) {
    var at = this.when(iso);
    var time = el("time", { datetime: iso, title: at.full }, at.weekday + " " + at.time + " ");
    time.appendChild(el("abbr", { className: "zone", title: at.zone }, at.label));
    var span = el("span", { className: "chat-time" });
    span.appendChild(time);
    return span;
  };

  // The server-rendered list has ids; until the socket's room.state arrives they count as seen.
  Room.prototype.adoptServerRendered = function () {
    var self = this;
    this.list.querySelectorAll("li[data-id]").forEach(function (li) {
      self.lastId = Math.max(self.lastId, Number(li.dataset.id));
    });
  };

  // --- connection ------------------------------------------------------------------

  Room.prototype.isOpen = function () {
    return this.socket && this.socket.readyState === WebSocket.OPEN && this.hadStateThisSocket;
  };

  Room.prototype.connect = function () {
    var self = this;
    if (this.stopped) return;
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    this.setStatus(this.hadState ? "Reconnecting…" : "Connecting…", "connecting");
    var socket;
    try {
      socket = new WebSocket(scheme + location.host + this.root.dataset.ws);
    } catch (e) {
      this.connectSoon();
      return;
    }
    this.socket = socket;
    this.hadStateThisSocket = false;
    socket.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      self.handle(frame);
    };
    socket.onclose = function () {
      if (self.socket !== socket) return;
      self.hadStateThisSocket = false;
      self.connectSoon();
    };
  };

  Room.prototype.connectSoon = function (delay) {
    var self = this;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (delay === undefined) {
      delay = Math.min(MAX_BACKOFF, 500 * Math.pow(2, this.attempt));
      delay = delay / 2 + Math.random() * delay / 2;
      this.attempt += 1;
    }
    var seconds = Math.max(1, Math.round(delay / 1000));
    this.setStatus("Reconnecting in " + seconds + " s… messages you send are kept until they are stored.", "reconnecting");
    this.reconnectTimer = setTimeout(function () { self.reconnectTimer = null; self.connect(); }, delay);
    // Posts waiting for the socket go over HTTP instead.
    this.pending.forEach(function (post, clientId) {
      if (post.state === "sending") self.sendOverHttp(clientId);
    });
  };

  Room.prototype.setStatus = function (text, state) {
    this.status.textContent = text;
    this.root.dataset.state = state;
  };

  Room.prototype.send = function (frame) {
    if (!this.isOpen()) return false;
    try {
      this.socket.send(JSON.stringify(frame));
      return true;
    } catch (e) {
      return false;
    }
  };

  // --- frames from the server ------------------------------------------------------

  Room.prototype.handle = function (frame) {
    switch (frame.type) {
      case "room.state": return this.onState(frame);
      case "message.new":
      case "message.edited":
        this.upsert(frame.message);
        if (frame.engagement) this.setEngagement(frame.engagement);
        return;
      case "message.hidden":
        this.remove(frame.id);
        if (frame.engagement) this.setEngagement(frame.engagement);
        return;
      case "presence": return this.setPresent(frame.present);
      case "mention": return this.onMention(frame);
      case "message.ack": return this.onAck(frame);
      case "error": return this.onError(frame);
      default: return;
    }
  };

  Room.prototype.onState = function (frame) {
    var self = this;
    var seenBefore = this.lastId;
    var reconnecting = this.hadState;
    this.hadState = true;
    this.hadStateThisSocket = true;
    this.attempt = 0;
    this.setStatus("Live", "live");
    this.setPresent(frame.present);
    if (frame.engagement) this.setEngagement(frame.engagement);
    if (frame.me) this.applyMe(frame.me);
    var ids = frame.messages.map(function (m) { return m.id; });
    var oldest = ids.length ? ids[0] : Infinity;
    // Anything we show inside the state's window that the state lacks was hidden meanwhile.
    if (this.domIds().length) {
      var keep = new Set(ids);
      this.domIds().forEach(function (id) { if (id >= oldest && !keep.has(id)) self.remove(id); });
      if (!ids.length) this.domIds().forEach(function (id) { self.remove(id); });
    }
    frame.messages.forEach(function (m) { self.upsert(m); });
    // More than a window's worth may have been missed: page through the gap by id.
    if ((reconnecting || seenBefore) && seenBefore && seenBefore < oldest - 1 && ids.length) {
      this.catchUp(seenBefore);
    }
    this.pending.forEach(function (post, clientId) {
      if (post.state === "sending" || post.state === "queued") self.transmit(clientId);
    });
  };

  Room.prototype.catchUp = function (after) {
    var self = this;
    var url = this.root.dataset.api + "?after=" + after;
    function page(next) {
      return fetch(next, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (data) {
          data.results.forEach(function (m) { self.upsert(m); });
          if (data.next) return page(data.next);
        });
    }
    return page(url).catch(function () {
      self.showNotice("Some messages could not be loaded; they will appear when you reload.");
    });
  };

  Room.prototype.applyMe = function (me) {
    if (me.id !== null && me.id !== undefined) this.me = me.id;
    this.moderator = !!me.moderator;
  };

  Room.prototype.setPresent = function (n) {
    if (this.presentEl && typeof n === "number") this.presentEl.textContent = String(n);
  };

  Room.prototype.setEngagement = function (e) {
    var box = this.root.querySelector("[data-engagement]");
    if (!box) return;
    box.querySelector("[data-answered]").textContent = String(e.answered);
    box.querySelector("[data-questions]").textContent = String(e.questions);
  };

  Room.prototype.onMention = function (frame) {
    if (frame.room === this.key) return; // seen in place, highlighted by its span
    var box = this.root.querySelector("[data-mention-toasts]");
    if (!box || document.querySelectorAll("[data-chat-room]")[0] !== this.root) return;
    var toast = el("p", { className: "chat-toast" });
    toast.appendChild(document.createTextNode(frame.message.author.name + " mentioned you in "));
    toast.appendChild(el("a", { href: frame.url }, frame.room_title));
    var close = el("button", { type: "button", className: "chat-link", "aria-label": "Dismiss" }, "×");
    close.addEventListener("click", function () { toast.remove(); });
    toast.appendChild(close);
    box.appendChild(toast);
  };

  Room.prototype.onAck = function (frame) {
    var post = this.pending.get(frame.client_id);
    if (frame.action === "post" && post) {
      this.settle(frame.client_id);
      // The broadcast may have been lost (the layer was down): fetch it by id.
      if (!this.messages.has(frame.id)) this.catchUp(Math.min(this.lastId, frame.id - 1));
    } else if (frame.action === "report") {
      this.showNotice("Thank you: the moderators will look at it.", "ok");
    } else if (frame.action === "edit" || frame.action === "delete" || frame.action === "hide") {
      this.hideNotice();
    }
  };

  Room.prototype.onError = function (frame) {
    var post = frame.client_id && this.pending.get(frame.client_id);
    if (post) return this.fail(frame.client_id, frame);
    if (frame.reason === "code_of_conduct") {
      this.showNotice(frame.detail + " Reload the page to accept it.");
    } else {
      this.showNotice(frame.detail || "That did not work.");
    }
  };

  // --- the message list ------------------------------------------------------------

  Room.prototype.domIds = function () {
    return Array.prototype.map.call(this.list.querySelectorAll("li[data-id]"), function (li) { return Number(li.dataset.id); });
  };

  Room.prototype.upsert = function (m) {
    var existing = this.list.querySelector('li[data-id="' + m.id + '"]');
    this.messages.set(m.id, m);
    this.lastId = Math.max(this.lastId, m.id);
    var li = this.renderMessage(m);
    var empty = this.list.querySelector("[data-empty]");
    if (empty) empty.remove();
    if (existing) {
      existing.replaceWith(li);
      return;
    }
    // Keep id order: walk back from the end (new messages almost always go last).
    var items = this.list.querySelectorAll("li[data-id]");
    var before = null;
    for (var i = items.length - 1; i >= 0; i--) {
      if (Number(items[i].dataset.id) > m.id) before = items[i];
      else break;
    }
    var sc = this.scroller;
    var stick = sc.scrollHeight - sc.scrollTop - sc.clientHeight < 40;
    var firstPending = this.list.querySelector("li[data-pending]");
    this.list.insertBefore(li, before || firstPending);
    if (stick) sc.scrollTop = sc.scrollHeight;
  };

  Room.prototype.remove = function (id) {
    this.messages.delete(id);
    var li = this.list.querySelector('li[data-id="' + id + '"]');
    if (li) li.remove();
  };

  Room.prototype.renderMessage = function (m) {
    var self = this;
    var li = el("li", { className: "chat-message" + (m.author.badge ? " badge-" + m.author.badge : ""), id: "msg-" + m.id });
    li.dataset.id = m.id;
    if (m.author.id === this.me) li.classList.add("mine");
    var meta = el("div", { className: "chat-meta" });
    meta.appendChild(el("span", { className: "chat-author" }, m.author.name));
    if (m.author.badge) meta.appendChild(el("span", { className: "chat-badge" }, m.author.badge));
    var when = new Date(m.created_at);
    meta.appendChild(this.timeElement(m.created_at));
    if (m.edited_at) meta.appendChild(el("span", { className: "chat-edited" }, "(edited)"));
    li.appendChild(meta);
    if (m.reply) {
      var quote = el("p", { className: "chat-reply" }, "↪ ");
      quote.appendChild(el("span", { className: "chat-reply-author" }, m.reply.author));
      quote.appendChild(document.createTextNode(": " + m.reply.excerpt));
      li.appendChild(quote);
    }
    var body = el("div", { className: "chat-body" });
    body.innerHTML = m.html; // sanitised on the server by nh3 (chat/rendering.py)
    li.appendChild(body);
    var actions = el("div", { className: "chat-actions" });
    function action(label, fn, cls) {
      var b = el("button", { type: "button", className: "chat-link " + (cls || "") }, label);
      b.setAttribute("aria-label", label + " (message from " + m.author.name + ")");
      b.addEventListener("click", fn);
      actions.appendChild(b);
    }
    if (this.canPost) action("Reply", function () { self.startReply(m); }, "chat-act-reply");
    if (this.me !== null && m.author.id !== this.me) action("Report", function () { self.openReport(m, li); }, "chat-act-report");
    var fresh = Date.now() - when.getTime() < this.editWindow;
    if (m.author.id === this.me && fresh) {
      action("Edit", function () { self.startEdit(m, li); }, "chat-act-edit");
      action("Delete", function () { self.deleteOwn(m); }, "chat-act-delete");
    }
    if (this.moderator) action("Hide", function () { self.hide(m); }, "chat-act-hide");
    if (actions.childNodes.length) li.appendChild(actions);
    return li;
  };

  // --- posting ---------------------------------------------------------------------

  Room.prototype.bindComposer = function () {
    var self = this;
    var form = this.root.querySelector("[data-composer]");
    if (!form) return;
    this.input = form.querySelector("[data-input]");
    var counter = form.querySelector("[data-counter]");
    this.input.addEventListener("input", function () {
      counter.textContent = self.input.value.length + " / " + MAX_LENGTH;
    });
    this.input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit", { cancelable: true }));
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = self.input.value.trim();
      if (!body) return;
      if (body.length > MAX_LENGTH) {
        self.showNotice("A message is at most " + MAX_LENGTH + " characters.");
        return;
      }
      self.post(body, self.replyTo);
      self.input.value = "";
      counter.textContent = "0 / " + MAX_LENGTH;
      self.cancelReply();
    });
    var cancel = form.querySelector("[data-cancel-reply]");
    if (cancel) cancel.addEventListener("click", function () { self.cancelReply(); });
  };

  Room.prototype.post = function (body, replyTo) {
    var clientId = uuid();
    var post = { body: body, reply_to: replyTo ? replyTo.id : null, state: "sending" };
    this.pending.set(clientId, post);
    post.li = this.renderPending(clientId, post);
    this.list.appendChild(post.li);
    this.scroller.scrollTop = this.scroller.scrollHeight;
    this.transmit(clientId);
  };

  Room.prototype.transmit = function (clientId) {
    var self = this;
    var post = this.pending.get(clientId);
    if (!post) return;
    post.state = "sending";
    this.updatePending(clientId, "Sending…");
    var frame = { type: "message.post", body: post.body, client_id: clientId, reply_to: post.reply_to };
    if (!this.send(frame)) return this.sendOverHttp(clientId);
    clearTimeout(post.timer);
    // No ack in time: the same client_id over HTTP is stored at most once.
    post.timer = setTimeout(function () { if (self.pending.has(clientId)) self.sendOverHttp(clientId); }, ACK_TIMEOUT);
  };

  Room.prototype.sendOverHttp = function (clientId) {
    var self = this;
    var post = this.pending.get(clientId);
    if (!post || post.state === "http") return;
    post.state = "http";
    clearTimeout(post.timer);
    this.updatePending(clientId, "Sending (the live connection is down)…");
    fetch(this.root.dataset.api, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": this.csrf },
      body: JSON.stringify({ body: post.body, client_id: clientId, reply_to: post.reply_to }),
    })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (response.ok) {
            self.onAck({ type: "message.ack", action: "post", client_id: clientId, id: data.id });
          } else if (data && data.type === "error") {
            self.fail(clientId, data);
          } else {
            self.fail(clientId, { code: "unavailable", detail: "HTTP " + response.status });
          }
        });
      })
      .catch(function () {
        // Offline: keep it; it is sent again when the socket is back.
        var p = self.pending.get(clientId);
        if (p) { p.state = "queued"; self.updatePending(clientId, "Not sent yet: waiting for the connection…"); }
      });
  };

  Room.prototype.settle = function (clientId) {
    var post = this.pending.get(clientId);
    if (!post) return;
    clearTimeout(post.timer);
    if (post.li) post.li.remove();
    this.pending.delete(clientId);
  };

  Room.prototype.fail = function (clientId, error) {
    var self = this;
    var post = this.pending.get(clientId);
    if (!post) return;
    clearTimeout(post.timer);
    if (error.code === "rate_limited") {
      var wait = Math.max(1, Number(error.retry_after || 5));
      post.state = "waiting";
      this.updatePending(clientId, error.detail + " Sending again in " + wait + " s.", true);
      post.timer = setTimeout(function () { self.transmit(clientId); }, wait * 1000);
      return;
    }
    if (error.code === "unavailable") {
      // The server could not store it yet: try again with back-off, same client_id.
      post.tries = (post.tries || 0) + 1;
      var delay = Math.min(30, Math.pow(2, post.tries));
      post.state = "waiting";
      this.updatePending(clientId, "Not stored yet (" + (error.detail || "server busy") + "). Trying again in " + delay + " s.", true);
      post.timer = setTimeout(function () { self.transmit(clientId); }, delay * 1000);
      return;
    }
    post.state = "failed";
    this.updatePending(clientId, "Not posted: " + (error.detail || "refused"), true);
  };

  Room.prototype.renderPending = function (clientId, post) {
    var self = this;
    var li = el("li", { className: "chat-message chat-pending mine" });
    li.dataset.pending = clientId;
    var meta = el("div", { className: "chat-meta" });
    meta.appendChild(el("span", { className: "chat-author" }, "You"));
    var state = el("span", { className: "chat-pending-state", role: "status" }, "Sending…");
    meta.appendChild(state);
    li.appendChild(meta);
    li.appendChild(el("div", { className: "chat-body chat-plain" }, post.body));
    var actions = el("div", { className: "chat-actions chat-pending-actions" });
    var retry = el("button", { type: "button", className: "chat-link" }, "Try again");
    retry.addEventListener("click", function () { self.transmit(clientId); });
    var discard = el("button", { type: "button", className: "chat-link" }, "Discard");
    discard.addEventListener("click", function () { self.settle(clientId); });
    actions.appendChild(retry);
    actions.appendChild(discard);
    actions.hidden = true;
    li.appendChild(actions);
    return li;
  };

  Room.prototype.updatePending = function (clientId, text, failed) {
    var post = this.pending.get(clientId);
    if (!post || !post.li) return;
    post.li.querySelector(".chat-pending-state").textContent = text;
    post.li.classList.toggle("chat-failed", !!failed);
    post.li.querySelector(".chat-pending-actions").hidden = !(failed && post.state === "failed");
  };

  // --- replies, edits, reports, hiding ---------------------------------------------

  Room.prototype.startReply = function (m) {
    var box = this.root.querySelector("[data-replying]");
    if (!box) return;
    this.replyTo = m;
    box.querySelector("[data-replying-name]").textContent = m.author.name;
    box.hidden = false;
    this.input.focus();
  };

  Room.prototype.cancelReply = function () {
    var box = this.root.querySelector("[data-replying]");
    this.replyTo = null;
    if (box) box.hidden = true;
  };

  Room.prototype.startEdit = function (m, li) {
    var self = this;
    var body = li.querySelector(".chat-body");
    var form = el("form", { className: "chat-edit" });
    var label = el("label", { className: "visually-hidden", for: "edit-" + m.id }, "Edit your message");
    var area = el("textarea", { id: "edit-" + m.id, rows: "2", maxlength: String(MAX_LENGTH) });
    area.value = body.textContent.trim();
    var save = el("button", { type: "submit", className: "small" }, "Save");
    var cancel = el("button", { type: "button", className: "small secondary" }, "Cancel");
    cancel.addEventListener("click", function () { form.replaceWith(body); });
    form.appendChild(label);
    form.appendChild(area);
    form.appendChild(save);
    form.appendChild(cancel);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!self.send({ type: "message.edit", id: m.id, body: area.value, client_id: uuid() })) {
        self.showNotice("Not connected: try again in a moment.");
      }
    });
    body.replaceWith(form);
    area.focus();
  };

  Room.prototype.deleteOwn = function (m) {
    if (!window.confirm("Delete your message?")) return;
    if (!this.send({ type: "message.delete", id: m.id, client_id: uuid() })) this.showNotice("Not connected: try again in a moment.");
  };

  Room.prototype.hide = function (m) {
    var reason = window.prompt("Hide this message from everyone. Reason (kept in the audit log):", "");
    if (reason === null) return;
    if (!this.send({ type: "message.hide", id: m.id, reason: reason, client_id: uuid() })) this.showNotice("Not connected: try again in a moment.");
  };

  Room.prototype.openReport = function (m, li) {
    var self = this;
    if (li.querySelector(".chat-report-form")) return;
    var form = el("form", { className: "chat-report-form" });
    var id = "report-" + this.key.replace(/[^a-z0-9]/gi, "-") + "-" + m.id;
    form.appendChild(el("label", { for: id }, "Why are you reporting this?"));
    var select = el("select", { id: id, name: "reason" });
    REASONS.forEach(function (r) { select.appendChild(el("option", { value: r[0] }, r[1])); });
    form.appendChild(select);
    var detailId = id + "-detail";
    form.appendChild(el("label", { for: detailId }, "Anything the moderators should know (optional)"));
    var detail = el("input", { id: detailId, name: "detail", maxlength: "1000" });
    form.appendChild(detail);
    var submit = el("button", { type: "submit", className: "small" }, "Send report");
    var cancel = el("button", { type: "button", className: "small secondary" }, "Cancel");
    cancel.addEventListener("click", function () { form.remove(); });
    form.appendChild(submit);
    form.appendChild(cancel);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var frame = { type: "message.report", id: m.id, reason: select.value, detail: detail.value, client_id: uuid() };
      if (self.send(frame)) {
        form.remove();
        return;
      }
      fetch(self.root.dataset.reportApi + m.id + "/report/", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": self.csrf },
        body: JSON.stringify({ reason: select.value, detail: detail.value }),
      }).then(function (r) {
        if (!r.ok) throw new Error(r.status);
        form.remove();
        self.showNotice("Thank you: the moderators will look at it.", "ok");
      }).catch(function () { self.showNotice("The report could not be sent; try again."); });
    });
    li.appendChild(form);
    select.focus();
  };

  // --- older history ---------------------------------------------------------------

  Room.prototype.bindOlder = function () {
    var self = this;
    var button = this.root.querySelector("[data-older]");
    if (!button) return;
    button.addEventListener("click", function () {
      var ids = self.domIds();
      if (!ids.length) return;
      button.disabled = true;
      fetch(self.root.dataset.api + "?before=" + Math.min.apply(null, ids), { credentials: "same-origin" })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (data) {
          var sc = self.scroller;
          var top = sc.scrollHeight - sc.scrollTop;
          data.results.forEach(function (m) { self.upsert(m); });
          sc.scrollTop = sc.scrollHeight - top;
          if (!data.next) button.parentNode.hidden = true;
        })
        .catch(function () { self.showNotice("Older messages could not be loaded."); })
        .finally(function () { button.disabled = false; });
    });
  };

  Room.prototype.showNotice = function (text, kind) {
    var self = this;
    this.notice.textContent = text;
    this.notice.dataset.kind = kind || "error";
    this.notice.hidden = false;
    clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(function () { self.hideNotice(); }, 8000);
  };

  Room.prototype.hideNotice = function () {
    this.notice.hidden = true;
  };

  function start() {
    // The panel is the same for everyone: static/js/state.js sets who this visitor is
    // and what they may do (data-me, data-moderator, data-can-post, data-csrf) first.
    (window.portalState || Promise.resolve(null)).then(function () {
      document.querySelectorAll("[data-chat-room]").forEach(function (root) {
        if (!root.chatRoom) root.chatRoom = new Room(root);
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
