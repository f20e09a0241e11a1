/* Linli's only script of its own: when an htmx request is refused (4xx/5xx), show the server's message
   in the page's live region instead of silently doing nothing. No eval, no inline code (CSP). */
(function () {
  function show(text) {
    var region = document.getElementById("live-error");
    if (!region) { return; }
    region.textContent = text;
    region.hidden = false;
    region.focus();
  }
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var text = "";
    try {
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var node = doc.querySelector(".error, [role=alert]");
      text = node ? node.textContent.trim() : "";
    } catch (e) { text = ""; }
    show(text || (document.documentElement.lang === "en" ? "The request was refused; please reload the page."
                                                           : "操作未能完成，请刷新页面后重试。"));
  });
  document.addEventListener("htmx:sendError", function () {
    show(document.documentElement.lang === "en" ? "No connection; please try again." : "网络连接中断，请稍后重试。");
  });
  document.addEventListener("htmx:beforeRequest", function () {
    var region = document.getElementById("live-error");
    if (region) { region.hidden = true; }
  });

  /* Wide tables become stacked cards on a phone (linli.css, `.table.stack`): each cell is given its column's name
     as data-label (unless the page gave one), and the table explicit ARIA roles, so that screen readers still read
     it as a table once its rows are shown as blocks. Tables of one or two columns stay tables. */
  function each(list, fn) { Array.prototype.forEach.call(list, fn); }
  function stack(table) {
    var heads = table.querySelectorAll("thead th");
    if (heads.length < 3) { return; }
    var names = Array.prototype.map.call(heads, function (th) { return th.textContent.trim(); });
    table.setAttribute("role", "table");
    each(table.querySelectorAll("thead, tbody, tfoot"), function (g) { g.setAttribute("role", "rowgroup"); });
    each(heads, function (th) { th.setAttribute("role", "columnheader"); });
    each(table.querySelectorAll("tr"), function (tr) {
      tr.setAttribute("role", "row");
      var column = 0;
      each(tr.children, function (cell) {
        if (cell.tagName === "TD") {
          cell.setAttribute("role", "cell");
          if (!cell.hasAttribute("data-label") && names[column]) { cell.setAttribute("data-label", names[column]); }
        } else if (!cell.hasAttribute("role")) {
          cell.setAttribute("role", "rowheader");
        }
        column += cell.colSpan || 1;
      });
    });
    table.classList.add("stack");
  }
  function stackAll(root) {
    if (root.matches && root.matches("table.table")) { stack(root); }
    var inside = root.closest && root.closest("table.table");
    if (inside) { stack(inside); }
    each((root.querySelectorAll ? root : document).querySelectorAll("table.table"), stack);
  }
  document.addEventListener("DOMContentLoaded", function () { stackAll(document); });
  document.addEventListener("htmx:load", function (event) { stackAll(event.target); });

  /* The check-in screens (a shift's, a meeting's): a tap on a row (a form marked data-checkin-tap) and a search
     (the form marked data-checkin-search) can cross. A search drawn before the tap was saved would bring the row
     back as it was, and the worker would see 签到 again. So a tap cancels the search on its way, a search answered
     while a tap is on its way is not shown, and once the last tap is answered such a search is asked again. Searches
     among themselves keep htmx's own order: the newest is sent once the one on its way is answered. */
  var taps = 0, stale = false;
  function searchForm() { return document.querySelector("form[data-checkin-search]"); }
  function tapAnswered() {   // from the request itself: its answer may have swapped the tap's form out of the page
    taps = Math.max(0, taps - 1);
    var form = searchForm();
    if (taps === 0 && stale && form) {
      stale = false;
      setTimeout(function () { htmx.trigger(form, "submit"); }, 0);
    }
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = searchForm();
    var elt = event.detail.elt;
    if (!form || !(elt.matches && elt.matches("form[data-checkin-tap]"))) { return; }
    taps += 1;
    if (form.classList.contains("htmx-request")) {
      htmx.trigger(form, "htmx:abort");
      stale = true;
    }
    event.detail.xhr.addEventListener("loadend", tapAnswered);
  });
  document.addEventListener("htmx:beforeSwap", function (event) {   // told to the list the search fills
    var config = event.detail.requestConfig;
    if (taps > 0 && config && config.elt === searchForm()) {
      event.detail.shouldSwap = false;
      stale = true;
    }
  });
})();
