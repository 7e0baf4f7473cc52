// The visitor's own state on a public page (portal/state.py, /me/state.json).
//
// Public pages are the same for everyone (nginx caches them); this asks once per page
// load for who the visitor is, their stars and agenda, the call links they may see now,
// what they may do in the page's chat rooms, their flash messages and a CSRF token, and
// applies it. Other scripts wait for it: `window.portalState` (a promise of the state,
// null when it could not be had). Loaded first of the page's deferred scripts.
(function () {
  "use strict";

  function each(selector, fn) { document.querySelectorAll(selector).forEach(fn); }
  function keys(selector, name) {
    var found = [];
    each(selector, function (el) { if (found.indexOf(el.dataset[name]) < 0) found.push(el.dataset[name]); });
    return found.join(",");
  }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }

  function addToken(root, token) {
    (root.querySelectorAll ? root : document).querySelectorAll('form[method="post"], form[method="POST"]').forEach(function (form) {
      var input = form.querySelector('input[name="csrfmiddlewaretoken"]');
      if (!input) {
        input = el("input", { type: "hidden", name: "csrfmiddlewaretoken" });
        form.insertBefore(input, form.firstChild);
      }
      if (!input.value) input.value = token;
    });
  }

  function accountMenu(state) {
    var nav = document.querySelector("[data-account-nav]");
    var user = state.user;
    if (!nav || !user.authenticated) return;
    nav.textContent = "";
    var li = el("li");
    var profile = el("a", { href: "/me/profile/" });
    profile.appendChild(el("span", { class: "visually-hidden" }, "Your profile: "));
    profile.appendChild(document.createTextNode(user.name));
    li.appendChild(profile);
    nav.appendChild(li);
    if (user.organiser) {
      li = el("li");
      li.appendChild(el("a", { href: "/admin/" }, "Admin"));
      nav.appendChild(li);
    }
    li = el("li");
    var form = el("form", { method: "post", action: "/accounts/logout/", class: "inline" });
    form.appendChild(el("input", { type: "hidden", name: "csrfmiddlewaretoken", value: state.csrf }));
    form.appendChild(el("button", { type: "submit", class: "link-button" }, "Log out"));
    li.appendChild(form);
    nav.appendChild(li);
  }

  function flashMessages(state) {
    var box = document.querySelector("[data-state-messages]");
    if (!box || !state.messages.length) return;
    var list = el("ul", { class: "messages" });
    state.messages.forEach(function (m) { list.appendChild(el("li", { class: "notice " + m.level }, m.text)); });
    box.appendChild(list);
  }

  function callLinks(state) {
    each("[data-call-slot]", function (slot) {
      var call = state.calls[slot.dataset.callSlot];
      if (!call) return;
      if (call.url) {
        slot.textContent = "";
        var short = slot.dataset.short;
        slot.appendChild(el("a", { href: call.url, class: "join", rel: "noopener", target: "_blank", role: short ? "link" : "button" },
          short ? "Join" : "Join the video call"));
      } else if (call.state === "not_allowed") {
        slot.textContent = call.reason;
        if (!state.user.authenticated) {
          slot.appendChild(document.createTextNode(" "));
          slot.appendChild(el("a", { href: "/accounts/login/?next=" + encodeURIComponent(location.pathname + location.search) }, "Log in"));
        }
      }
    });
  }

  function chatRooms(state) {
    each("[data-chat-room]", function (root) {
      var me = state.rooms[root.dataset.chatRoom];
      root.dataset.csrf = state.csrf;
      if (!state.user.authenticated) return;
      root.dataset.me = state.user.id;
      root.dataset.moderator = me && me.moderator ? "1" : "0";
      root.dataset.canPost = me && me.can_post ? "1" : "0";
      var cannot = root.querySelector("[data-cannot]");
      var composer = root.querySelector("[data-composer]");
      var coc = root.querySelector("[data-coc]");
      if (!me) return;
      if (me.can_post) {
        if (composer) composer.hidden = false;
        if (cannot) cannot.hidden = true;
      } else if (me.reason === "code_of_conduct" && coc) {
        coc.hidden = false;
        if (cannot) cannot.hidden = true;
      } else if (cannot) {
        cannot.textContent = me.detail;
      }
    });
  }

  function apply(state) {
    document.body.setAttribute("hx-headers", JSON.stringify({ "X-CSRFToken": state.csrf }));
    addToken(document, state.csrf);
    document.body.addEventListener("htmx:afterSwap", function (event) { addToken(event.target, state.csrf); });
    accountMenu(state);
    flashMessages(state);
    callLinks(state);
    chatRooms(state);
    each("[data-role]", function (node) { if (state.user[node.dataset.role]) node.hidden = false; });
    var reminders = document.querySelector("[data-reminder-notices]");
    if (reminders && state.reminders_html) reminders.innerHTML = state.reminders_html;
  }

  var query = new URLSearchParams();
  // A call the page says has ended has nothing more for anyone: not asked about.
  var calls = keys('[data-call-slot]:not([data-call-state="ended"])', "callSlot");
  var rooms = keys("[data-chat-room]", "chatRoom");
  if (calls) query.set("calls", calls);
  if (rooms) query.set("rooms", rooms);
  // Features' parts (portal/state_parts.py): data-state-part="qa" data-state-key="<key>".
  var parts = {};
  each("[data-state-part]", function (node) {
    var list = parts[node.dataset.statePart] = parts[node.dataset.statePart] || [];
    if (list.indexOf(node.dataset.stateKey) < 0) list.push(node.dataset.stateKey);
  });
  Object.keys(parts).forEach(function (name) { query.set(name, parts[name].join(",")); });
  window.portalState = fetch("/me/state.json" + (query.toString() ? "?" + query : ""), {
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  })
    .then(function (response) { return response.ok ? response.json() : null; })
    .catch(function () { return null; })
    .then(function (state) {
      if (state) apply(state);
      return state;
    });
})();
