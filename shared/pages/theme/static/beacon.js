// One view per load of a page marked `data-view-beacon="<article id>"`, reported to the
// same-origin POST /api/views (application/json, keepalive so leaving the page does not
// cancel it). A random first-party visitor id, kept in localStorage, lets the server count a
// reader's repeat views once; with Do Not Track or Global Privacy Control on, the view goes
// without one (and nothing is stored). Crawlers are told apart by the server.
(function () {
  "use strict";
  var KEY = "newsroom-visitor";
  var marked = document.querySelector("[data-view-beacon]");
  if (!marked || !window.fetch) { return; }

  function optedOut() {
    return navigator.doNotTrack === "1" || window.doNotTrack === "1" ||
      navigator.globalPrivacyControl === true;
  }

  function visitorId() {
    try {
      var id = localStorage.getItem(KEY);
      if (!id) {
        var bytes = crypto.getRandomValues(new Uint8Array(16));
        id = Array.prototype.map.call(bytes, function (b) {
          return (b + 256).toString(16).slice(1);
        }).join("");
        localStorage.setItem(KEY, id);
      }
      return id;
    } catch (e) {
      return null; // storage blocked: the view is sent without an id
    }
  }

  function report() {
    var view = { article_id: marked.dataset.viewBeacon };
    var id = optedOut() ? null : visitorId();
    if (id) { view.visitor_id = id; }
    fetch("/api/views", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(view),
      credentials: "omit",
      keepalive: true
    }).catch(function () {});
  }

  // A page the browser prerenders counts only once the reader actually opens it.
  if (document.prerendering) {
    document.addEventListener("prerenderingchange", report, { once: true });
  } else {
    report();
  }
})();
