// noticekb: progressive enhancement. Every page works without this file.
// With it, the search page updates as you type and applies filters at
// once, swapping in the same HTML the server renders for the whole page
// (GET /?…&partial=1), and long lists get a filter box.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Filter boxes narrow a list (facet values, partners, topics) to the
  // items that contain the typed text; ticked values always stay.
  function setupFilterBoxes(root) {
    root.querySelectorAll("[data-filter-for]").forEach(function (box) {
      var list = document.getElementById(box.getAttribute("data-filter-for"));
      var input = box.querySelector("input");
      if (!list || !input) {
        return;
      }
      box.hidden = false;
      input.addEventListener("input", function () {
        var needle = input.value.trim().toLowerCase();
        list.querySelectorAll("li, tbody tr").forEach(function (item) {
          var match = item.textContent.toLowerCase().indexOf(needle) >= 0;
          item.hidden = needle !== "" && !match && !item.querySelector("input:checked");
        });
      });
    });
  }
  setupFilterBoxes(document);

  var live = document.getElementById("live");
  var form = document.getElementById("search");
  var box = document.getElementById("q");
  if (!live || !form || !box || !window.fetch || !window.URLSearchParams) {
    return;
  }
  var status = document.getElementById("live-status");
  var feed = document.querySelector('link[rel="alternate"][type="application/atom+xml"]');
  var pending = null;
  var timer = 0;

  // The form's state as a URL: the search box, and every control that
  // belongs to the form through its form="search" attribute.
  function formURL() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (typeof value === "string" && value.trim() !== "") {
        params.append(key, value.trim());
      }
    });
    var query = params.toString();
    return "/" + (query ? "?" + query : "");
  }

  // What had the focus inside the swapped part, to give it back after.
  function focusKey() {
    var el = document.activeElement;
    if (!el || !live.contains(el)) {
      return null;
    }
    if (el.name) {
      return { name: el.name, value: el.value, id: el.id };
    }
    return { heading: true };
  }

  function restoreFocus(key) {
    if (!key) {
      return;
    }
    var target = null;
    if (key.name) {
      live.querySelectorAll("[name]").forEach(function (el) {
        if (!target && el.name === key.name && (el.type !== "checkbox" || el.value === key.value)) {
          target = el;
        }
      });
    }
    if (!target) {
      target = document.getElementById("results-heading");
    }
    if (target) {
      target.focus();
    }
  }

  // load fetches the fragment of url and swaps it in; how is "push" or
  // "replace" for the history, or "none" when the history moved itself.
  function load(url, how, typing) {
    if (pending) {
      pending.abort();
    }
    var controller = new AbortController();
    pending = controller;
    var key = typing ? null : focusKey();
    live.setAttribute("aria-busy", "true");
    var sep = url.indexOf("?") < 0 ? "?" : "&";
    fetch(url + sep + "partial=1", { signal: controller.signal, headers: { Accept: "text/html" } })
      .then(function (resp) {
        var type = resp.headers.get("Content-Type") || "";
        if (type.indexOf("text/html") < 0) {
          throw new Error("not a fragment");
        }
        return resp.text();
      })
      .then(function (html) {
        if (pending !== controller) {
          return;
        }
        pending = null;
        // The fragment is the server's own rendering, escaped there.
        live.innerHTML = html;
        live.removeAttribute("aria-busy");
        var results = live.querySelector("[data-url]");
        var address = results ? results.getAttribute("data-url") : url;
        shown = address;
        if (how === "push") {
          history.pushState(null, "", address);
        } else if (how === "replace") {
          history.replaceState(null, "", address);
        }
        if (results) {
          document.title = results.getAttribute("data-title");
          if (feed) {
            feed.href = results.getAttribute("data-feed");
          }
        }
        if (!typing) {
          box.value = new URL(address, location.href).searchParams.get("q") || "";
        }
        var heading = document.getElementById("results-heading");
        if (status && heading) {
          status.textContent = heading.textContent;
        }
        setupFilterBoxes(live);
        restoreFocus(key);
      })
      .catch(function (err) {
        if (err.name === "AbortError") {
          return;
        }
        location.assign(url); // fall back to loading the whole page
      });
  }

  // While a word is being typed, its first two letters say too little:
  // the results shown stay until the third (the server then matches the
  // word as the beginning of longer ones). Enter searches at any length.
  function typingShortWord() {
    var text = box.value;
    var last = /(\S+)$/.exec(text);
    return last !== null && last[1].length < 3;
  }

  box.addEventListener("input", function () {
    clearTimeout(timer);
    if (typingShortWord()) {
      return;
    }
    timer = setTimeout(function () {
      load(formURL(), "replace", true);
    }, 250);
  });

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    clearTimeout(timer);
    load(formURL(), "push", false);
  });

  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (el === box || el.form !== form) {
      return;
    }
    if (el.checkValidity && !el.checkValidity()) {
      el.reportValidity();
      return;
    }
    load(formURL(), "push", false);
  });

  live.addEventListener("click", function (ev) {
    var link = ev.target.closest ? ev.target.closest("a[href]") : null;
    if (!link || ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) {
      return;
    }
    var href = link.getAttribute("href");
    var url = new URL(href, location.href);
    if (href.charAt(0) === "#" || url.origin !== location.origin || url.pathname !== "/") {
      return;
    }
    ev.preventDefault();
    load(url.pathname + url.search, "push", false);
  });

  // The address last shown: a jump to an anchor (#filters) also fires
  // popstate, and must not reload the results.
  var shown = location.pathname + location.search;
  window.addEventListener("popstate", function () {
    var address = location.pathname + location.search;
    if (address !== shown) {
      load(address, "none", false);
    }
  });
})();
