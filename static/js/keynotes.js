// A keynote's live Q&A (keynotes/consumers.py, docs/realtime.md "The Q&A protocol").
//
// The page is everyone's (nginx caches it); the visitor's votes and what they may do come
// from /me/state.json (state["qa"][slug], static/js/state.js). This script opens the Q&A
// socket, which sends the full current state on every (re)connect, and keeps the list in
// step: new questions, coalesced vote counts, answered / hidden / merged, "on air now".
// Votes and questions go over the socket; without JavaScript the page's plain forms lead
// to small private pages that do the same. The chair view (data-chair) uses the same
// socket with one-key actions.
(function () {
  "use strict";

  var root = document.querySelector("[data-keynote]");
  if (!root || !window.WebSocket) return;
  var slug = root.dataset.keynote;
  var chair = root.hasAttribute("data-chair");
  var list = root.querySelector("[data-questions]");
  var status = root.querySelector("[data-qa-status]");
  var socket = null;
  var backoff = 1000;
  var questions = {}; // id -> question
  var onAir = null;
  var me = { voted: [], can_ask: false, moderator: false };
  var voted = {};
  var selected = 0;
  var sort = list ? list.dataset.sortCurrent || "top" : "top";
  var zoneNode = document.getElementById("tz-current");
  var abbrs = {};
  try {
    abbrs = JSON.parse((root && root.dataset.zoneAbbrs) || "{}");
  } catch (e) { abbrs = {}; }
  // As the server writes a question's time ("D j M, H:i" and the zone's abbreviation).
  var when = window.portalTime((zoneNode && zoneNode.dataset.zone) || "UTC", abbrs);

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function say(text) {
    if (!status) return;
    status.textContent = "";
    if (text) status.appendChild(el("p", { class: "notice" }, text));
  }

  function visible(q) {
    if (chair) return (q.status === "visible" || q.status === "pending") && !q.answered;
    return q.status === "visible";
  }

  function ordered() {
    return Object.keys(questions).map(function (id) { return questions[id]; }).filter(visible).sort(function (a, b) {
      if (sort === "new") return b.created_at < a.created_at ? -1 : b.created_at > a.created_at ? 1 : b.id - a.id;
      return b.votes - a.votes || (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id - b.id);
    });
  }

  function time(iso) {
    var at = when(iso);
    return at.weekday + " " + at.day + " " + at.month + ", " + at.time + " " + at.label;
  }

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(frame));
      return true;
    }
    say("Reconnecting to the Q&A…");
    return false;
  }

  function questionItem(q) {
    var li = el("li", { class: "question", id: "question-" + q.id, "data-question": q.id });
    if (q.answered) li.classList.add("answered");
    if (onAir === q.id) li.classList.add("on-air");
    var votes = el("div", { class: "question-votes" });
    if (chair) votes = el("p", { class: "chair-votes" });
    votes.appendChild(el("span", { class: "vote-count", "aria-label": q.votes + " vote" + (q.votes === 1 ? "" : "s") }, String(q.votes)));
    if (!chair && me.can_vote && q.status === "visible" && !q.answered) {
      var button = el("button", { type: "button", class: "vote-button outline small", "aria-pressed": voted[q.id] ? "true" : "false", "data-vote": q.id });
      button.appendChild(document.createTextNode(voted[q.id] ? "Voted" : "Vote"));
      button.appendChild(el("span", { class: "visually-hidden" }, " for question " + q.id));
      votes.appendChild(button);
    }
    if (chair) votes.appendChild(document.createTextNode(q.votes === 1 ? " vote" : " votes"));
    li.appendChild(votes);
    var body = el("div", { class: "question-body" });
    body.appendChild(el("p", { class: "question-text" }, q.body));
    var meta = el("p", { class: "question-meta" }, (q.author || (q.asker ? q.asker.name + " (anonymous to others)" : "Anonymous")) + " · " + time(q.created_at) + " ");
    meta.appendChild(el("span", { class: "badge on-air-badge" }, "On air now"));
    if (q.answered) meta.appendChild(el("span", { class: "badge answered-badge" }, "Answered"));
    if (q.status === "pending") meta.appendChild(el("strong", {}, " · waiting for approval"));
    if (chair) meta.appendChild(document.createTextNode(" · #" + q.id + (onAir === q.id ? " · on air" : "")));
    body.appendChild(meta);
    li.appendChild(body);
    if (chair) {
      li.className = "chair-question question" + (q.status === "pending" ? " pending" : "");
      li.setAttribute("tabindex", "-1");
      body.querySelector(".question-text").className = "chair-question-text";
      var actions = el("div", { class: "chair-actions" });
      [["approve", "Approve"], ["on_air", "On air"], ["answered", "Answered"], ["hide", "Hide"]].forEach(function (pair) {
        if (pair[0] === "approve" && q.status !== "pending") return;
        actions.appendChild(el("button", { type: "button", class: "small" + (pair[0] === "on_air" ? "" : " secondary"), "data-action": pair[0], "data-id": q.id }, pair[1]));
      });
      li.appendChild(actions);
    }
    return li;
  }

  function render() {
    if (!list) return;
    var items = ordered();
    list.textContent = "";
    items.forEach(function (q, index) {
      var li = questionItem(q);
      if (chair && index === selected) li.classList.add("selected");
      list.appendChild(li);
    });
    var empty = root.querySelector("[data-no-questions]");
    if (empty) empty.hidden = items.length > 0;
    var box = root.querySelector("[data-on-air]");
    var text = root.querySelector("[data-on-air-text]");
    var current = onAir && questions[onAir];
    if (box) box.hidden = !current;
    if (text) text.textContent = current ? current.body : (chair ? "Nothing yet: press n." : "");
  }

  function applyMe(state) {
    if (!state) return;
    me = state;
    voted = {};
    (state.voted || []).forEach(function (id) { voted[id] = true; });
    var form = root.querySelector("[data-ask-form]");
    var link = root.querySelector("[data-ask-link]");
    var cannot = root.querySelector("[data-qa-cannot]");
    if (form) form.hidden = !state.can_ask;
    if (link) link.hidden = !!state.can_ask;
    if (cannot) {
      cannot.hidden = state.can_ask || !state.detail;
      cannot.textContent = state.detail || "";
    }
    if (state.moderator) root.querySelectorAll('[data-role="moderator"]').forEach(function (n) { n.hidden = false; });
    if (state.uploader) root.querySelectorAll("[data-upload-link]").forEach(function (n) { n.hidden = false; });
  }

  function handle(frame) {
    switch (frame.type) {
      case "qa.state":
        backoff = 1000;
        say("");
        questions = {};
        frame.questions.forEach(function (q) { questions[q.id] = q; });
        onAir = frame.on_air;
        frame.me.can_vote = frame.me.can_ask;
        applyMe(frame.me);
        if (!frame.open && frame.phase === "ended") say("The Q&A has ended; it is kept here, read-only.");
        break;
      case "question.new":
      case "question.updated":
        var known = questions[frame.question.id];
        if (known && known.votes_version > frame.question.votes_version) {
          frame.question.votes = known.votes;
          frame.question.votes_version = known.votes_version;
        }
        questions[frame.question.id] = frame.question;
        break;
      case "question.removed":
        if (questions[frame.id]) questions[frame.id].status = frame.reason;
        break;
      case "question.votes":
        // Frames from different server processes may cross: keep the highest version.
        Object.keys(frame.votes).forEach(function (id) {
          var q = questions[id];
          var version = frame.versions ? frame.versions[id] : 0;
          if (q && !(version < (q.votes_version || 0))) {
            q.votes = frame.votes[id];
            q.votes_version = version;
          }
        });
        break;
      case "qa.on_air":
        onAir = frame.id;
        break;
      case "question.ack":
        if (frame.action === "vote" || frame.action === "unvote") {
          voted[frame.id] = frame.voted;
          var mine = questions[frame.id];
          if (mine && !(frame.votes_version < (mine.votes_version || 0))) {
            mine.votes = frame.votes;
            mine.votes_version = frame.votes_version;
          }
        } else if (frame.action === "ask") {
          var form = root.querySelector("[data-ask-form]");
          if (form) form.reset();
          if (frame.status === "pending") say("Your question is asked; it appears once a moderator approves it.");
        }
        break;
      case "error":
        var target = root.querySelector("[data-ask-error]");
        if (target && frame.client_id && frame.client_id.indexOf("ask-") === 0) {
          target.hidden = false;
          target.textContent = frame.detail;
        } else {
          say(frame.detail);
        }
        return;
      default:
        return;
    }
    render();
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/ws/keynotes/" + slug + "/qa/");
    socket.onmessage = function (event) {
      try { handle(JSON.parse(event.data)); } catch (e) { /* a frame we do not know */ }
    };
    socket.onclose = function () {
      say("Reconnecting to the Q&A…");
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 30000);
    };
  }

  root.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches("[data-ask-form]")) {
      event.preventDefault();
      var error = root.querySelector("[data-ask-error]");
      if (error) error.hidden = true;
      send({
        type: "question.ask",
        body: form.elements.body.value,
        anonymous: form.elements.anonymous.checked,
        client_id: "ask-" + Date.now(),
      });
    } else if (form.matches(".vote-form")) {
      event.preventDefault();
      var button = form.querySelector("[data-vote]");
      var id = Number(button.dataset.vote);
      send({ type: voted[id] ? "question.unvote" : "question.vote", id: id });
    }
  });

  root.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) return;
    if (button.dataset.vote && !button.closest("form")) {
      var id = Number(button.dataset.vote);
      send({ type: voted[id] ? "question.unvote" : "question.vote", id: id });
    } else if (chair && button.dataset.action) {
      event.preventDefault();
      moderate(button.dataset.action, Number(button.dataset.id));
    } else if (chair && button.dataset.key) {
      event.preventDefault();
      key(button.dataset.key);
    }
  });

  if (list && !chair) {
    root.querySelectorAll("[data-sort]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        sort = link.dataset.sort;
        list.dataset.sortCurrent = sort;
        render();
      });
    });
  }

  function moderate(action, id) {
    if (action === "on_air") send({ type: "question.on_air", id: id });
    else if (action === "answered") send({ type: "question.answered", id: id, answered: true });
    else send({ type: "question." + action, id: id });
  }

  function key(name) {
    var items = ordered();
    var current = items[selected];
    if (name === "n") send({ type: "question.next" });
    else if (name === "a" && onAir) send({ type: "question.answered", id: onAir, answered: true });
    else if (name === "h" && current) moderate("hide", current.id);
    else if (name === "o" && current) moderate("on_air", current.id);
    else if (name === "j") selected = Math.min(selected + 1, items.length - 1);
    else if (name === "k") selected = Math.max(selected - 1, 0);
    render();
  }

  if (chair) {
    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.target.closest("input, textarea, select")) return;
      if ("naho jk".indexOf(event.key) >= 0 && event.key !== " ") {
        event.preventDefault();
        key(event.key);
      }
    });
  }

  (window.portalState || Promise.resolve(null)).then(function (state) {
    if (state && state.qa && state.qa[slug]) applyMe(state.qa[slug]);
    connect();
  });
})();
