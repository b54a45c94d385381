// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Org chart: load a person's reports when their node is opened.
  function wire(root) {
    root.querySelectorAll("details[data-children]").forEach(function (node) {
      node.addEventListener("toggle", function () {
        if (!node.open || node.dataset.loaded) return;
        node.dataset.loaded = "loading";
        var list = node.querySelector("ul");
        list.setAttribute("aria-busy", "true");
        fetch(node.dataset.children, { credentials: "same-origin", headers: { "Accept": "text/html" } })
          .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
          .then(function (html) {
            list.innerHTML = html;
            list.removeAttribute("aria-busy");
            node.dataset.loaded = "yes";
            wire(list);
          })
          .catch(function () {
            list.innerHTML = '<li class="errors">Could not load the reports. Use the link to open this part of the chart.</li>';
            list.removeAttribute("aria-busy");
            delete node.dataset.loaded;
          });
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { wire(document); });
})();
