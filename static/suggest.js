// Typeahead for search fields (input[data-suggest]): as the editor types,
// fetch matches from the field's JSON endpoint into its datalist. Without
// this script the fields still work: the server resolves what is typed.
(function () {
  "use strict";
  document.querySelectorAll("input[data-suggest]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var timer = 0;
    var last = "";
    if (!list) return;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = input.value.trim();
        if (q.length < 2 || q === last) return;
        last = q;
        fetch(input.dataset.suggest + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
          .then(function (res) { return res.ok ? res.json() : []; })
          .then(function (matches) {
            if (input.value.trim() !== q) return; // typed on meanwhile
            list.replaceChildren.apply(list, matches.map(function (m) {
              var o = document.createElement("option");
              o.value = m.value;
              if (m.label && m.label !== m.value) o.label = m.label;
              return o;
            }));
          })
          .catch(function () {});
      }, 150);
    });
  });
})();
