// The visitor's side of the people on a public page (people/state.py): anyone with a
// block between them and the visitor (either way) disappears from lists; on a profile
// page the profile gives way to a sentence; "Ask for an introduction" says when one is
// waiting; the visitor's own card loses the buttons meant for others.
(function () {
  "use strict";
  if (!window.portalState) return;
  window.portalState.then(function (state) {
    if (!state || !state.people) return;
    var people = state.people;
    var me = state.user && state.user.authenticated ? state.user.id : null;
    document.querySelectorAll("[data-person]").forEach(function (node) {
      var id = parseInt(node.dataset.person, 10);
      if (people.hidden.indexOf(id) >= 0) {
        if (node.classList.contains("person-profile")) {
          var note = document.createElement("p");
          note.className = "notice";
          note.setAttribute("role", "status");
          if (people.blocked.indexOf(id) >= 0) {
            note.textContent = "You blocked this person. ";
            var link = document.createElement("a");
            link.href = "/me/people/";
            link.textContent = "Unblock in your settings";
            note.appendChild(link);
          } else {
            note.textContent = "This profile is not available.";
          }
          node.replaceWith(note);
        } else {
          node.remove();
        }
        return;
      }
      if (people.asked.indexOf(id) >= 0) {
        node.querySelectorAll('[data-person-action="introduce"]').forEach(function (a) { a.hidden = true; });
        node.querySelectorAll("[data-person-asked]").forEach(function (p) { p.hidden = false; });
      }
      if (id === me) node.querySelectorAll(".person-actions").forEach(function (p) { p.hidden = true; });
    });
  });
})();
