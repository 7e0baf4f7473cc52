// One time format for the times scripts write, as the server writes them (the portal's
// `when` filter): 24-hour, in the page's zone, named by the server's own abbreviations
// (data-zone-abbrs, {offset in minutes: "NZST"}; else "UTC+05:30"). chat.js and
// keynotes.js use it, so a chat message and a question read "Sat 14:25 UTC" as the page does.
(function () {
  "use strict";

  window.portalTime = function (zone, abbrs) {
    zone = zone || "UTC";
    abbrs = abbrs || {};
    var options = { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "longOffset" };
    var fmt;
    try {
      fmt = new Intl.DateTimeFormat("en-GB", Object.assign({ timeZone: zone }, options));
    } catch (e) {
      zone = "UTC";
      abbrs = { "0": "UTC" };
      fmt = new Intl.DateTimeFormat("en-GB", Object.assign({ timeZone: zone }, options));
    }
    var full = new Intl.DateTimeFormat("en-GB", { timeZone: zone, dateStyle: "full", timeStyle: "short", hourCycle: "h23" });

    // {weekday, day, month, time ("14:25"), label ("UTC"), full, zone} of an ISO instant.
    return function (iso) {
      var when = new Date(iso);
      var parts = {};
      fmt.formatToParts(when).forEach(function (p) { parts[p.type] = p.value; });
      // longOffset is "GMT" at UTC, else "GMT+09:00" / "GMT-05:30".
      var offset = /([+\u2212-])(\d{2}):(\d{2})/.exec(parts.timeZoneName || "");
      var minutes = offset ? (offset[1] === "+" ? 1 : -1) * (Number(offset[2]) * 60 + Number(offset[3])) : 0;
      var label = abbrs[String(minutes)];
      if (!label) {
        var abs = Math.abs(minutes);
        label = "UTC" + (minutes < 0 ? "-" : "+") + String(Math.floor(abs / 60)).padStart(2, "0") + ":" + String(abs % 60).padStart(2, "0");
      }
      return {
        weekday: parts.weekday, day: parts.day, month: parts.month,
        time: parts.hour + ":" + parts.minute, label: label, full: full.format(when), zone: zone,
      };
    };
  };
})();
