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
})();
