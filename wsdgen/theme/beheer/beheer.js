/*
 * wsdgen's additions to Decap CMS on /beheer/ (loaded after decap-cms.js):
 * - the preview uses the site's own stylesheet and page structure, so editors see
 *   their text as readers will;
 * - before saving, optional fields that were emptied are left out of the file (Decap
 *   writes them as '' or [], which `wsdgen check` refuses as "mag niet leeg zijn").
 */
(function () {
  "use strict";
  var CMS = window.CMS;
  var h = window.h;
  var createClass = window.createClass;
  var script = document.currentScript;
  var stylesheet = script && script.getAttribute("data-stijl");
  if (!CMS) {
    return;
  }
  if (stylesheet) {
    CMS.registerPreviewStyle(stylesheet);
  }

  var KICKERS = {
    werkplaatsen: "Werkplaats",
    themas: "Thema",
    regios: "Regio",
    kenniscafes: "Kenniscafé",
    publicaties: "Publicatie",
    nieuws: "Nieuws",
    paginas: "Pagina"
  };

  function isEmpty(value) {
    if (value === null || value === undefined) {
      return true;
    }
    if (typeof value === "string") {
      return value.trim() === "";
    }
    if (typeof value.size === "number") {
      return value.size === 0;
    }
    if (Array.isArray(value)) {
      return value.length === 0;
    }
    return false;
  }

  CMS.registerEventListener({
    name: "preSave",
    handler: function (event) {
      var data = event.entry.get("data");
      var kept = data.filter(function (value, key) {
        return key === "title" || key === "body" || !isEmpty(value);
      });
      return kept;
    }
  });

  function text(value) {
    if (value === null || value === undefined) {
      return "";
    }
    if (typeof value.toJS === "function") {
      value = value.toJS();
    }
    if (Array.isArray(value)) {
      return value.join(", ");
    }
    return String(value);
  }

  function factsOf(entry, fields) {
    var rows = [];
    fields.forEach(function (field) {
      var name = field.get("name");
      if (["title", "summary", "body", "draft", "aliases"].indexOf(name) !== -1) {
        return;
      }
      var value = text(entry.getIn(["data", name]));
      if (value) {
        rows.push(h("dt", { key: name + "-dt" }, field.get("label")));
        rows.push(h("dd", { key: name + "-dd" }, value));
      }
    });
    return rows;
  }

  var EntryPreview = createClass({
    render: function () {
      var entry = this.props.entry;
      var collection = this.props.collection.get("name");
      var summary = entry.getIn(["data", "summary"]);
      var facts = factsOf(entry, this.props.fields);
      return h(
        "main",
        { className: "container", id: "inhoud" },
        h(
          "article",
          {},
          h("p", { className: "kicker" }, KICKERS[collection] || ""),
          h("h1", {}, entry.getIn(["data", "title"]) || "(nog geen titel)"),
          summary ? h("p", { className: "lead" }, summary) : null,
          facts.length ? h("dl", { className: "facts" }, facts) : null,
          h("div", { className: "prose" }, this.props.widgetFor("body"))
        )
      );
    }
  });

  Object.keys(KICKERS).forEach(function (collection) {
    CMS.registerPreviewTemplate(collection, EntryPreview);
  });
})();
