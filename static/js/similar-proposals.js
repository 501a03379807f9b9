// While a proposal's title is typed, list the published proposals of the same call that look
// alike (GET /call/<id>/proposte-simili?titolo=...). Without JavaScript the form works the same.
(function () {
  "use strict";

  var DELAY_MS = 350;
  var MIN_LENGTH = 4;

  function setUp(box) {
    var input = document.getElementById(box.dataset.similarFor);
    var heading = box.querySelector("p");
    var list = box.querySelector("ul");
    if (!input || !list) {
      return;
    }
    var timer = null;
    var lastAsked = "";
    var controller = null;

    function show(items) {
      list.replaceChildren();
      items.forEach(function (item) {
        var link = document.createElement("a");
        link.href = item.url;
        link.textContent = item.title;  // text, never HTML
        link.target = "_blank";
        link.rel = "noopener";
        if (box.dataset.newTab) {
          var note = document.createElement("span");
          note.className = "visually-hidden";
          note.textContent = " " + box.dataset.newTab;
          link.appendChild(note);
        }
        var entry = document.createElement("li");
        entry.appendChild(link);
        list.appendChild(entry);
      });
      heading.hidden = items.length === 0;
    }

    function ask() {
      var text = input.value.trim();
      if (text === lastAsked) {
        return;
      }
      lastAsked = text;
      if (controller) {
        controller.abort();
      }
      if (text.length < MIN_LENGTH) {
        show([]);
        return;
      }
      controller = new AbortController();
      var url = new URL(box.dataset.similarUrl, window.location.href);
      url.searchParams.set("titolo", text);
      if (box.dataset.similarExclude) {
        url.searchParams.set("escludi", box.dataset.similarExclude);
      }
      fetch(url, { headers: { Accept: "application/json" }, signal: controller.signal })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (items) { show(Array.isArray(items) ? items : []); })
        .catch(function () { /* aborted or offline: keep what is shown */ });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, DELAY_MS);
    });
    ask();
  }

  document.querySelectorAll("[data-similar-url]").forEach(setUp);
})();
