/* Search page: start Pagefind's UI and run the query from the header's search box (?q=). */
(function () {
  "use strict";
  var element = document.getElementById("zoeken");
  if (!element || typeof PagefindUI === "undefined") {
    return;
  }
  var ui = new PagefindUI({
    element: "#zoeken",
    bundlePath: element.getAttribute("data-bundle"),
    baseUrl: element.getAttribute("data-base"),
    showSubResults: true,
    showImages: false,
    resetStyles: false,
    translations: {
      placeholder: "Zoek in kenniscafés, publicaties, nieuws en meer",
      zero_results: "Niets gevonden voor [SEARCH_TERM]",
      filters_label: "Filters"
    }
  });
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) {
    ui.triggerSearch(query);
  }
})();
