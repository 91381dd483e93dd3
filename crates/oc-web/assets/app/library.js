// Library filters without a full reload: ticking a facet, removing a tag,
// changing page or sort fetches the same URL and swaps the results region
// (#oc-pub), keeping the address shareable (history.pushState). Without
// this script every link and the "Appliquer les filtres" button work as
// plain GET requests.
(function () {
  "use strict";
  var seq = 0;

  // `keep` is the facet checkbox the reader used (its name and value):
  // focus stays on it in the fresh region, so that a keyboard user can
  // tick the next one; the count is announced by its live region.
  // Otherwise (a tag, a page link) focus goes to the count.
  function swap(url, push, keep) {
    var mine = ++seq;
    var region = document.getElementById("oc-pub");
    if (region) region.setAttribute("aria-busy", "true");
    fetch(url, { headers: { "Accept": "text/html" } })
      .then(function (r) { return r.text(); })
      .then(function (text) {
        if (mine !== seq) return;
        var doc = new DOMParser().parseFromString(text, "text/html");
        var fresh = doc.getElementById("oc-pub");
        var current = document.getElementById("oc-pub");
        if (!fresh || !current) { window.location.href = url; return; }
        // The filter panel stays as the reader left it.
        var was = document.getElementById("oc-facets");
        var now = fresh.querySelector("#oc-facets");
        if (was && now) now.open = was.open;
        current.replaceWith(fresh);
        document.title = doc.title;
        if (push) history.pushState({ oc: true }, "", url);
        bind();
        var back = keep && document.querySelector("#oc-pub input[type=checkbox][name=\"" +
          CSS.escape(keep.name) + "\"][value=\"" + CSS.escape(keep.value) + "\"]");
        var status = document.getElementById("oc-pub-count");
        if (back) back.focus({ preventScroll: true });
        else if (status) status.focus({ preventScroll: true });
      })
      .catch(function () { window.location.href = url; });
  }

  function formUrl(form) {
    var params = new URLSearchParams(new FormData(form));
    var keep = [];
    params.forEach(function (v, k) { if (v !== "") keep.push([k, v]); });
    var qs = new URLSearchParams(keep).toString();
    return form.getAttribute("action") + (qs ? "?" + qs : "");
  }

  function bind() {
    var form = document.getElementById("oc-pub-filters");
    if (form && !form.dataset.ocBound) {
      form.dataset.ocBound = "1";
      form.addEventListener("change", function (e) {
        if (e.target && e.target.type === "checkbox") swap(formUrl(form), true, { name: e.target.name, value: e.target.value });
      });
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        swap(formUrl(form), true);
      });
    }
    var status = document.getElementById("oc-pub-count");
    if (status) status.setAttribute("tabindex", "-1");
    document.querySelectorAll("#oc-pub a[href^='/publications?'], #oc-pub a[href='/publications']").forEach(function (a) {
      if (a.dataset.ocBound) return;
      a.dataset.ocBound = "1";
      a.addEventListener("click", function (e) {
        if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        swap(a.getAttribute("href"), true);
      });
    });
  }

  // On a phone the filters fold away so that results come first; on a
  // wider screen they are always shown.
  var narrow = window.matchMedia("(max-width: 47.98em)");
  function fold() {
    var panel = document.getElementById("oc-facets");
    if (panel) panel.open = !narrow.matches;
  }
  fold();
  if (narrow.addEventListener) narrow.addEventListener("change", fold);

  window.addEventListener("popstate", function () { swap(location.pathname + location.search, false); });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", bind); else bind();
})();
