// noticekb admin: follows a running job in place. Every admin page works
// without this file; the job page then reloads itself (a meta refresh
// inside <noscript>) until the job ends.
(function () {
  "use strict";
  var live = document.getElementById("job-live");
  var url = live && live.getAttribute("data-poll");
  if (!url || !window.fetch) {
    return;
  }
  var failures = 0;

  // The control that had the focus inside the part, to give it back.
  function focusedAction() {
    var el = document.activeElement;
    return el && live.contains(el) && el.form ? el.form.getAttribute("action") : null;
  }

  function swap(html) {
    var action = focusedAction();
    // The part is the server's own rendering, escaped there.
    live.innerHTML = html;
    var heading = live.querySelector("h1[data-title]");
    if (heading) {
      document.title = heading.getAttribute("data-title");
    }
    if (action) {
      var button = live.querySelector('form[action="' + action + '"] button');
      (button || heading).focus();
    }
  }

  function poll() {
    fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin", cache: "no-store" })
      .then(function (resp) {
        var type = resp.headers.get("Content-Type") || "";
        if (resp.redirected || !resp.ok || type.indexOf("text/html") < 0) {
          throw new Error("no job part: " + resp.status);
        }
        return resp.text();
      })
      .then(function (html) {
        failures = 0;
        swap(html);
        if (live.querySelector(".state-running")) {
          setTimeout(poll, 1000);
        } else {
          live.removeAttribute("data-poll");
        }
      })
      .catch(function () {
        // A signed-out session or a restarted server: the whole page
        // says what happened.
        failures++;
        if (failures < 3) {
          setTimeout(poll, 2000);
        } else {
          window.location.reload();
        }
      });
  }
  setTimeout(poll, 1000);
})();
