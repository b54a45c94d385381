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
  // Long pickers (objectives to align to): a search box above the list hides the
  // choices that do not match what is typed; the chosen one always stays.
  function filterable(select) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "picker-search";
    box.placeholder = select.dataset.filter;
    box.setAttribute("aria-label", select.dataset.filter);
    box.setAttribute("aria-controls", select.id);
    select.parentNode.insertBefore(box, select);
    box.addEventListener("input", function () {
      var words = box.value.toLowerCase().split(/\s+/).filter(Boolean);
      Array.prototype.forEach.call(select.options, function (option) {
        var text = option.text.toLowerCase();
        var match = option.value === "" || option.selected ||
          words.every(function (w) { return text.indexOf(w) !== -1; });
        option.hidden = !match;
      });
    });
  }
  // Priorities: drag a row to its new place. The drop fills in the row's own
  // "move to place" form and sends it, so the server sees what a keyboard user sends.
  function reorderable(list) {
    var dragged = null;
    Array.prototype.forEach.call(list.children, function (item) {
      if (!item.querySelector("form.move-to")) return;
      item.draggable = true;
      item.classList.add("draggable");
      item.addEventListener("dragstart", function (e) {
        dragged = item;
        item.classList.add("dragging");
        e.dataTransfer.effectAllowed = "move";
        e.dataTransfer.setData("text/plain", item.querySelector("a").textContent);
      });
      item.addEventListener("dragend", function () {
        item.classList.remove("dragging");
        dragged = null;
      });
      item.addEventListener("dragover", function (e) {
        if (!dragged || dragged === item) return;
        var box = item.getBoundingClientRect();
        list.insertBefore(dragged, e.clientY > box.top + box.height / 2 ? item.nextSibling : item);
      });
    });
    list.addEventListener("dragover", function (e) { if (dragged) e.preventDefault(); });
    list.addEventListener("drop", function (e) {
      if (!dragged) return;
      e.preventDefault();
      var form = dragged.querySelector("form.move-to");
      form.querySelector("input.place").value = Array.prototype.indexOf.call(list.children, dragged) + 1;
      list.setAttribute("aria-busy", "true");
      form.submit();
    });
  }
  // The 9-box: drop a name on a box. The drop fills in the move form below the grid
  // (person and box) and asks for the reason there, so every move keeps its why.
  function nineBox(table) {
    var form = document.querySelector("form.box-move");
    if (!form) return;
    var dragged = null;
    table.querySelectorAll("li[data-review]").forEach(function (item) {
      item.draggable = true;
      item.classList.add("draggable");
      item.addEventListener("dragstart", function (e) {
        dragged = item;
        item.classList.add("dragging");
        e.dataTransfer.effectAllowed = "move";
        e.dataTransfer.setData("text/plain", item.textContent);
      });
      item.addEventListener("dragend", function () {
        item.classList.remove("dragging");
        dragged = null;
      });
    });
    table.querySelectorAll("td[data-box]").forEach(function (cell) {
      cell.addEventListener("dragover", function (e) { if (dragged) e.preventDefault(); });
      cell.addEventListener("drop", function (e) {
        if (!dragged) return;
        e.preventDefault();
        cell.querySelector("ul").appendChild(dragged);
        form.querySelector("select[name=review]").value = dragged.dataset.review;
        form.querySelector("select[name=place]").value = cell.dataset.box;
        var reason = form.querySelector("input[name=reason]");
        reason.focus();
        reason.placeholder = "Why this box?";
      });
    });
  }
  // The advice pulse: find colleagues as one types and choose up to data-people-search
  // of them; their ids go in the form's hidden field. Typed e-mails still work without it.
  function peopleSearch(box) {
    var form = box.form;
    var most = parseInt(box.dataset.peopleSearch, 10) || 10;
    var me = parseInt(box.dataset.me, 10);
    var ids = form.querySelector("input[data-chosen-ids]");
    var chosen = form.querySelector("ul.chosen");
    var results = box.parentNode.querySelector("ul.search-results");
    var picked = [];
    var timer = null;
    var asked = 0;
    function show() {
      ids.value = picked.map(function (p) { return p.id; }).join(",");
      chosen.innerHTML = "";
      picked.forEach(function (p, i) {
        var item = document.createElement("li");
        item.textContent = p.name + " ";
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "link";
        remove.textContent = "Remove";
        remove.setAttribute("aria-label", "Remove " + p.name);
        remove.addEventListener("click", function () { picked.splice(i, 1); show(); box.focus(); });
        item.appendChild(remove);
        chosen.appendChild(item);
      });
      var full = picked.length >= most;
      box.disabled = full;
      box.placeholder = full ? "You named " + most + ": remove one to add another" : "Type a name or e-mail";
    }
    function choose(p) {
      picked.push(p);
      box.value = "";
      results.innerHTML = "";
      show();
      if (!box.disabled) box.focus();
    }
    box.addEventListener("input", function () {
      clearTimeout(timer);
      var q = box.value.trim();
      if (q.length < 2) { results.innerHTML = ""; return; }
      timer = setTimeout(function () {
        var mine = ++asked;
        fetch("/api/v1/people?per_page=8&q=" + encodeURIComponent(q), { credentials: "same-origin" })
          .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
          .then(function (found) {
            if (mine !== asked) return;
            results.innerHTML = "";
            found.items.forEach(function (p) {
              if (p.id === me || picked.some(function (c) { return c.id === p.id; })) return;
              var item = document.createElement("li");
              var pick = document.createElement("button");
              pick.type = "button";
              pick.className = "secondary";
              pick.setAttribute("role", "option");
              pick.textContent = p.display_name + (p.title ? " — " + p.title : "") + (p.team ? ", " + p.team : "");
              pick.addEventListener("click", function () { choose({ id: p.id, name: p.display_name }); });
              item.appendChild(pick);
              results.appendChild(item);
            });
            if (!results.children.length) {
              var none = document.createElement("li");
              none.className = "muted";
              none.textContent = "Nobody else matches “" + q + "”.";
              results.appendChild(none);
            }
          })
          .catch(function () {});
      }, 150);
    });
    // Half-typed names are not e-mails: leave them out rather than refuse the answer.
    form.addEventListener("submit", function () {
      if (box.value.indexOf("@") === -1) box.value = "";
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    wire(document);
    document.querySelectorAll("input[data-people-search]").forEach(peopleSearch);
    document.querySelectorAll("table.nine-box").forEach(nineBox);
    document.querySelectorAll("select[data-filter]").forEach(filterable);
    document.querySelectorAll("ol.priorities").forEach(reorderable);
    // "Copy" beside a read-only address (the calendar feed).
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      button.addEventListener("click", function () {
        var field = document.getElementById(button.dataset.copy);
        field.select();
        var done = function () { button.textContent = "Copied"; };
        if (navigator.clipboard) { navigator.clipboard.writeText(field.value).then(done, function () {}); }
        else if (document.execCommand("copy")) { done(); }
      });
    });
  });
})();
