// The source reader without reloading: choosing a cited span fetches what cites it (the same
// page, which answers the same question without JavaScript) and shows it beside the text;
// the kind control highlights at once. Reading needs none of this.
(function () {
  "use strict";
  var text = document.getElementById("text");
  var control = document.getElementById("kind");
  if (!text) return;

  function showCiting(link) {
    fetch(link.href, { headers: { Accept: "text/html" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("cited-by");
        var panel = document.getElementById("cited-by");
        if (!fresh || !panel) return;
        panel.replaceWith(fresh);
        text.querySelectorAll("a.cited.selected").forEach(function (other) {
          other.classList.remove("selected");
          other.removeAttribute("aria-current");
        });
        link.classList.add("selected");
        link.setAttribute("aria-current", "true");
        history.replaceState(null, "", link.href);
        fresh.focus({ preventScroll: window.matchMedia("(min-width: 50rem)").matches });
      })
      .catch(function () { window.location.href = link.href; });
  }

  text.addEventListener("click", function (event) {
    var link = event.target.closest("a.cited");
    if (!link) return;
    event.preventDefault();
    showCiting(link);
  });

  if (control) {
    control.addEventListener("change", function () {
      var kind = control.value;
      text.querySelectorAll(".cited").forEach(function (link) {
        var types = link.dataset.types.split(" ");
        link.classList.toggle("other", kind !== "" && types.indexOf(kind) < 0);
        if (!link.href) return;
        var url = new URL(link.href);
        if (kind) url.searchParams.set("kind", kind); else url.searchParams.delete("kind");
        link.href = url.toString();
      });
      var here = new URL(window.location.href);
      if (kind) here.searchParams.set("kind", kind); else here.searchParams.delete("kind");
      history.replaceState(null, "", here.toString());
    });
  }
})();
