// The visitor's side of the people on a public page (people/state.py): people who blocked
// the visitor disappear; "Ask for an introduction" says when one is waiting; the
// visitor's own card loses the buttons meant for others.
(function () {
  "use strict";
  if (!window.portalState) return;
  window.portalState.then(function (state) {
    if (!state || !state.people) return;
    var people = state.people;
    var me = state.user && state.user.authenticated ? state.user.id : null;
    document.querySelectorAll("[data-person]").forEach(function (node) {
      var id = parseInt(node.dataset.person, 10);
      if (people.hidden.indexOf(id) >= 0) { node.remove(); return; }
      if (people.asked.indexOf(id) >= 0) {
        node.querySelectorAll('[data-person-action="introduce"]').forEach(function (a) { a.hidden = true; });
        node.querySelectorAll("[data-person-asked]").forEach(function (p) { p.hidden = false; });
      }
      if (id === me) node.querySelectorAll(".person-actions").forEach(function (p) { p.hidden = true; });
      if (people.blocked.indexOf(id) >= 0) {
        node.querySelectorAll('[data-person-action="block"]').forEach(function (a) { a.textContent = "Blocked (unblock in your settings)"; a.href = "/me/people/"; });
      }
    });
  });
})();
