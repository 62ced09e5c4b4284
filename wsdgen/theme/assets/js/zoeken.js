/* Search page: start Pagefind's UI in Dutch and keep the query in the address (?q=) and in
   the header's search box, so both boxes and a shared link show the same search. */
(function () {
  "use strict";
  var element = document.getElementById("zoeken");
  if (!element || typeof PagefindUI === "undefined") {
    return;
  }
  var bundle = element.getAttribute("data-bundle");
  var base = element.getAttribute("data-base");
  /* A large site's index comes in parts (see wsdgen/search.py); delen.json lists the
     parts besides the first, which Pagefind merges into one list of results. */
  fetch(bundle + "delen.json")
    .then(function (answer) { return answer.ok ? answer.json() : { delen: [] }; })
    .catch(function () { return { delen: [] }; })
    .then(function (manifest) {
      var parts = Array.isArray(manifest.delen) ? manifest.delen : [];
      start(parts.map(function (part) {
        return { bundlePath: bundle + part, baseUrl: base };
      }));
    });

  function start(mergeIndex) {
    var ui = new PagefindUI({
      element: "#zoeken",
      bundlePath: bundle,
      baseUrl: base,
      mergeIndex: mergeIndex,
      showSubResults: true,
      showImages: false,
      resetStyles: false,
      excerptLength: 30,
      translations: {
        placeholder: "Zoek in kenniscafés, publicaties, nieuws en meer",
        clear_search: "Wissen",
        load_more: "Meer resultaten tonen",
        search_label: "Zoeken op deze site",
        filters_label: "Filteren",
        zero_results: "Niets gevonden voor [SEARCH_TERM]. Probeer een ander of korter woord, of kijk in de overzichten van kenniscafés, publicaties en thema's.",
        many_results: "[COUNT] resultaten voor [SEARCH_TERM]",
        one_result: "1 resultaat voor [SEARCH_TERM]",
        alt_search: "Niets gevonden voor [SEARCH_TERM]. Hieronder de resultaten voor [DIFFERENT_TERM].",
        search_suggestion: "Niets gevonden voor [SEARCH_TERM]. Probeer een van deze zoekwoorden:",
        searching: "Zoeken naar [SEARCH_TERM]…"
      }
    });
    var header = document.getElementById("zoekterm");
    var query = new URLSearchParams(window.location.search).get("q");
    if (query) {
      if (header) {
        header.value = query;
      }
      ui.triggerSearch(query);
    }
    var timer = null;
    element.addEventListener("input", function (event) {
      var input = event.target;
      if (!input.classList || !input.classList.contains("pagefind-ui__search-input")) {
        return;
      }
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var term = input.value.trim();
        var address = new URL(window.location.href);
        if (term) {
          address.searchParams.set("q", term);
        } else {
          address.searchParams.delete("q");
        }
        window.history.replaceState(null, "", address.toString());
        if (header) {
          header.value = term;
        }
      }, 300);
    });
  }
})();
