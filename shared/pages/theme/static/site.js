// View counts and the "Популярное" block, read from JSON files the feeds service refreshes.
// Same-origin and external so a `script-src 'self'` policy allows it; pages work without it.
(function () {
  "use strict";
  var REFRESH_MS = 30000;
  var body = document.body;
  var popularData = null;
  var period = "all";

  function getJson(url) {
    return fetch(url, { cache: "no-store" }).then(function (response) {
      if (!response.ok) { throw new Error(url + ": " + response.status); }
      return response.json();
    });
  }

  function showViews() {
    var nodes = document.querySelectorAll("[data-views]");
    if (!nodes.length) { return; }
    getJson(body.dataset.viewsUrl).then(function (counts) {
      nodes.forEach(function (node) {
        var count = counts[node.dataset.views];
        if (typeof count !== "number") { return; }
        node.querySelector("[data-count]").textContent = count.toLocaleString("ru-RU");
        node.hidden = false;
      });
    }).catch(function () {});
  }

  function fillPopular(block) {
    var list = block.querySelector(".popular-list");
    var items = (popularData.periods && popularData.periods[period]) || [];
    list.replaceChildren.apply(list, items.map(function (item) {
      var li = document.createElement("li");
      var link = document.createElement("a");
      link.href = item.url;
      link.textContent = item.title;
      li.appendChild(link);
      return li;
    }));
    block.querySelectorAll("[role=tab]").forEach(function (tab) {
      var selected = tab.dataset.period === period;
      tab.setAttribute("aria-selected", String(selected));
      tab.tabIndex = selected ? 0 : -1;
      if (selected) { list.parentNode.setAttribute("aria-labelledby", tab.id); }
    });
  }

  function showPopular() {
    var block = document.querySelector("[data-popular]");
    if (!block) { return; }
    getJson(body.dataset.popularUrl).then(function (data) {
      popularData = data;
      fillPopular(block);
      block.hidden = false;
      var fallback = document.querySelector("[data-popular-fallback]");
      if (fallback) { fallback.hidden = true; }
    }).catch(function () {});
  }

  function setupTabs() {
    var block = document.querySelector("[data-popular]");
    if (!block) { return; }
    var tabs = Array.prototype.slice.call(block.querySelectorAll("[role=tab]"));
    tabs.forEach(function (tab, index) {
      tab.addEventListener("click", function () {
        period = tab.dataset.period;
        if (popularData) { fillPopular(block); }
      });
      tab.addEventListener("keydown", function (event) {
        var step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
        if (!step) { return; }
        var next = tabs[(index + step + tabs.length) % tabs.length];
        next.focus();
        next.click();
      });
    });
  }

  function refresh() {
    showViews();
    showPopular();
  }

  setupTabs();
  refresh();
  setInterval(refresh, REFRESH_MS);
})();
