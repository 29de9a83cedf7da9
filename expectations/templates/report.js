/* Offline search: search_index.js (beside the summary page) is loaded on first use; results are built with
   textContent, never as HTML. */
(function () {
  var root = document.body.getAttribute("data-root"), input = document.getElementById("search"), list = document.getElementById("search-results");
  var SHOWN = 50;
  function show() {
    var q = input.value.trim(); list.textContent = "";
    if (!q || !window.NIANBAO_SEARCH) return;
    var hits = 0;
    for (var i = 0; i < window.NIANBAO_SEARCH.length && hits < SHOWN; i++) {
      var e = window.NIANBAO_SEARCH[i];
      if (e[0].indexOf(q) < 0) continue;
      var li = document.createElement("li"), a = document.createElement("a");
      a.href = root + e[2]; a.textContent = e[0] + " " + e[1];
      li.appendChild(a);
      if (e[3]) { var s = document.createElement("span"); s.className = "fail"; s.textContent = " " + e[3]; li.appendChild(s); }
      list.appendChild(li); hits++;
    }
    if (!hits) { var li = document.createElement("li"); li.textContent = "未找到 · no match"; list.appendChild(li); }
  }
  input.addEventListener("input", function () {
    if (window.NIANBAO_SEARCH) { show(); return; }
    if (document.getElementById("search-index")) return;
    var s = document.createElement("script"); s.id = "search-index"; s.src = root + "search_index.js";
    s.onload = show; document.head.appendChild(s);
  });
})();
