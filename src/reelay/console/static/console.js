// Reelay console: live regions. An element with data-live="URL" is refreshed from URL (an HTML
// fragment of the same page) every two seconds while the page is visible; the server's
// X-Console-Live: 0 says nothing will change again, and polling stops.
"use strict";
(function () {
  var PERIOD_MS = 2000;

  function refresh(region) {
    var url = region.getAttribute("data-live");
    if (!url || document.hidden) {
      return schedule(region);
    }
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "console" } })
      .then(function (answer) {
        if (answer.redirected || !answer.ok) {
          // Signed out, or the task is gone: stop rather than paint a sign-in page into a table.
          region.removeAttribute("data-live");
          return null;
        }
        var more = answer.headers.get("X-Console-Live") !== "0";
        return answer.text().then(function (html) {
          replace(region, html);
          if (more) {
            schedule(region);
          } else {
            region.removeAttribute("data-live");
          }
        });
      })
      .catch(function () {
        schedule(region); // a network blip: try again next period
      });
  }

  var shown = new WeakMap(); // the HTML each region last received

  function replace(region, html) {
    if (shown.get(region) === html) {
      return; // nothing changed: leave the region (a playing video, a reader's place) alone
    }
    shown.set(region, html);
    // Keep keyboard focus where it was when the focused control comes back with the same id.
    var focused = document.activeElement;
    var focusedId = focused && region.contains(focused) ? focused.id : null;
    var open = Array.prototype.map.call(region.querySelectorAll("details[open]"), function (d) {
      return Array.prototype.indexOf.call(region.querySelectorAll("details"), d);
    });
    region.innerHTML = html;
    var all = region.querySelectorAll("details");
    open.forEach(function (index) {
      if (all[index]) {
        all[index].open = true;
      }
    });
    if (focusedId) {
      var again = document.getElementById(focusedId);
      if (again) {
        again.focus();
      }
    }
    region.dispatchEvent(new CustomEvent("console:updated", { bubbles: true }));
  }

  function schedule(region) {
    window.setTimeout(function () {
      refresh(region);
    }, PERIOD_MS);
  }

  document.querySelectorAll("[data-live]").forEach(schedule);
})();
