/*
 * wsdgen's additions to Decap CMS on /beheer/ (loaded after decap-cms.js and nl.js):
 * - the preview is drawn like the site's own pages (templates/kenniscafe.html and the
 *   others): the site's stylesheet, its header with the site's name, names instead of
 *   slugs for werkplaats, themes and regions, Dutch dates ("donderdag 14 maart 2031")
 *   and times ("15:30–17:00 uur"), and the entry's image;
 * - Decap is started here, after every script registered its parts (vooraf.js);
 * - the sign-in page shows the site's name under its logo (config.yml's `logo`);
 * - before saving, optional fields that were emptied are left out of the file (Decap
 *   writes them as '' or [], which `wsdgen check` refuses as "mag niet leeg zijn").
 */
(function () {
  "use strict";
  var CMS = window.CMS;
  var h = window.h;
  var createClass = window.createClass;
  var script = document.currentScript;
  if (!CMS) {
    return;
  }
  function setting(name) {
    return (script && script.getAttribute(name)) || "";
  }
  var stylesheet = setting("data-stijl");
  var siteName = setting("data-site");
  var menu = [];
  try {
    menu = JSON.parse(setting("data-menu") || "[]");
  } catch (error) {
    menu = [];
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
  // Shown elsewhere on the page (title, lead, image, text) or not at all.
  var NOT_A_FACT = ["title", "summary", "body", "draft", "aliases", "afbeelding", "afbeelding_alt"];

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

  // --- The sign-in page: the site's name under its logo. ---

  function nameTheSignInPage() {
    var logo = document.querySelector("section img[alt='Logo']");
    if (!logo) {
      return;
    }
    logo.setAttribute("alt", "");
    var name = document.createElement("p");
    name.className = "wsd-login-name";
    name.textContent = siteName;
    logo.insertAdjacentElement("afterend", name);
  }
  if (siteName) {
    new MutationObserver(nameTheSignInPage).observe(document.body, {
      childList: true,
      subtree: true
    });
  }

  // --- Values the Dutch way, as the site's templates show them (wsdgen/dates.py). ---

  var WEEKDAY_DATE = new Intl.DateTimeFormat("nl-NL", {
    weekday: "long",
    day: "numeric",
    month: "long",
    year: "numeric",
    timeZone: "UTC"
  });
  var LONG_DATE = new Intl.DateTimeFormat("nl-NL", {
    day: "numeric",
    month: "long",
    year: "numeric",
    timeZone: "UTC"
  });

  function plain(value) {
    if (value && typeof value.toJS === "function") {
      return value.toJS();
    }
    return value;
  }

  // A date field's value ("2031-03-14", or a Date) as a day in UTC, or null.
  function dayOf(value) {
    value = plain(value);
    if (value instanceof Date && !isNaN(value.getTime())) {
      return new Date(Date.UTC(value.getFullYear(), value.getMonth(), value.getDate()));
    }
    var match = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(value || ""));
    if (!match) {
      return null;
    }
    return new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  }

  function isoOf(day) {
    return day.toISOString().slice(0, 10);
  }

  function timeOf(value) {
    value = plain(value);
    if (value === null || value === undefined || value === "") {
      return "";
    }
    var match = /^(\d{1,2}):(\d{2})/.exec(String(value));
    return match ? (match[1].length === 1 ? "0" : "") + match[1] + ":" + match[2] : String(value);
  }

  function isUpcoming(day) {
    var now = new Date();
    var today = Date.UTC(now.getFullYear(), now.getMonth(), now.getDate());
    return day.getTime() >= today;
  }

  function listOf(value) {
    value = plain(value);
    if (value === null || value === undefined || value === "") {
      return [];
    }
    return (Array.isArray(value) ? value : [value]).filter(function (item) {
      return item !== null && item !== undefined && String(item).trim() !== "";
    });
  }

  // --- One preview for every collection, in the structure of the site's pages. ---

  var EntryPreview = createClass({
    data: function (name) {
      return this.props.entry.getIn(["data", name]);
    },

    field: function (name) {
      return this.props.fields.find(function (field) {
        return field.get("name") === name;
      });
    },

    // The title of the entry a relation field refers to; Decap keeps the chosen
    // entries' data in fieldsMetaData (field -> collection -> slug -> data).
    titleFor: function (field, slug) {
      var meta = this.props.fieldsMetaData;
      var title = meta && meta.getIn([field.get("name"), field.get("collection"), slug, "title"]);
      return title ? String(title) : String(slug);
    },

    names: function (name) {
      var field = this.field(name);
      var self = this;
      if (!field) {
        return [];
      }
      return listOf(this.data(name)).map(function (slug) {
        return self.titleFor(field, slug);
      });
    },

    image: function () {
      var path = plain(this.data("afbeelding"));
      if (!path || !this.props.getAsset) {
        return null;
      }
      var asset = this.props.getAsset(path);
      var src = asset ? asset.toString() : "";
      if (!src) {
        return null;
      }
      return h(
        "figure",
        { key: "image", className: "entry-image" },
        h("img", { src: src, alt: plain(this.data("afbeelding_alt")) || "" })
      );
    },

    // The site's header (partials/header.html): its name, the search box, the menu
    // (folded behind "Menu" when the preview is narrow, as on a phone).
    header: function () {
      return h(
        "header",
        { className: "site-header" },
        h(
          "div",
          { className: "container header-inner" },
          h("span", { className: "site-name" }, siteName),
          h(
            "form",
            {
              className: "site-search",
              role: "search",
              onSubmit: function (event) {
                event.preventDefault();
              }
            },
            h("input", { type: "search", placeholder: "Zoek op de site", "aria-label": "Zoeken op de site" }),
            h("button", { type: "submit" }, "Zoeken")
          ),
          menu.length
            ? h(
                "details",
                { className: "main-menu" },
                h("summary", { className: "main-menu__button" }, "Menu"),
                h(
                  "nav",
                  { className: "main-nav", "aria-label": "Hoofdmenu" },
                  h(
                    "ul",
                    {},
                    menu.map(function (title) {
                      return h("li", { key: title }, h("a", {}, title));
                    })
                  )
                )
              )
            : null
        )
      );
    },

    // A fact list entry: <dt> and <dd>; several values become a list.
    fact: function (rows, label, values, listClass) {
      values = listOf(values);
      if (!values.length) {
        return;
      }
      rows.push(h("dt", { key: label + "-dt" }, label));
      if (values.length === 1 && !listClass) {
        rows.push(h("dd", { key: label + "-dd" }, values[0]));
        return;
      }
      rows.push(
        h(
          "dd",
          { key: label + "-dd" },
          h(
            "ul",
            { className: listClass || "plain-list" },
            values.map(function (value, index) {
              return h("li", { key: index }, value);
            })
          )
        )
      );
    },

    // The werkplaats, regions and themes (partials/entry-links.html).
    links: function () {
      var rows = [];
      var werkplaats = this.names("werkplaats");
      var regios = this.names("regios");
      var themas = this.names("themas");
      this.fact(rows, "Werkplaats", werkplaats);
      this.fact(rows, regios.length > 1 ? "Regio's" : "Regio", regios, "inline-list");
      this.fact(rows, themas.length > 1 ? "Thema's" : "Thema", themas, "inline-list");
      return rows.length ? h("dl", { className: "facts" }, rows) : null;
    },

    title: function () {
      var summary = plain(this.data("summary"));
      return [
        h("h1", { key: "h1" }, plain(this.data("title")) || "(nog geen titel)"),
        summary ? h("p", { key: "lead", className: "lead" }, summary) : null,
        this.image()
      ];
    },

    body: function () {
      return h("div", { className: "prose" }, this.props.widgetFor("body"));
    },

    kenniscafe: function () {
      var day = dayOf(this.data("datum"));
      var upcoming = day ? isUpcoming(day) : true;
      var rows = [];
      if (day) {
        rows.push(h("dt", { key: "datum-dt" }, "Datum"));
        rows.push(
          h("dd", { key: "datum-dd" }, h("time", { dateTime: isoOf(day) }, WEEKDAY_DATE.format(day)))
        );
      }
      var begin = timeOf(this.data("begintijd"));
      var end = timeOf(this.data("eindtijd"));
      if (begin) {
        this.fact(rows, "Tijd", begin + (end ? "\u2013" + end : "") + " uur");
      }
      this.fact(rows, "Locatie", plain(this.data("locatie")));
      var sprekers = listOf(this.data("sprekers"));
      this.fact(rows, sprekers.length > 1 ? "Sprekers" : "Spreker", sprekers, "plain-list");
      var bezoekers = plain(this.data("bezoekers"));
      if (bezoekers !== null && bezoekers !== undefined && bezoekers !== "") {
        this.fact(rows, "Bezoekers", String(bezoekers));
      }
      var aanmelden = plain(this.data("aanmelden"));
      var hasBody = !isEmpty(plain(this.data("body")));
      return h(
        "article",
        {},
        h("p", { className: "kicker" }, "Kenniscafé"),
        this.title(),
        h(
          "div",
          { className: "entry-layout" },
          h(
            "div",
            { className: "entry-layout__side" },
            rows.length ? h("dl", { className: "facts" }, rows) : null,
            upcoming && aanmelden
              ? h("p", { className: "actions" }, h("a", { className: "button" }, "Aanmelden voor dit kenniscafé"))
              : null,
            this.links()
          ),
          h(
            "div",
            { className: "entry-layout__text" },
            hasBody ? h("h2", {}, upcoming ? "Over dit kenniscafé" : "Verslag") : null,
            hasBody ? this.body() : upcoming ? null : h("p", {}, "Van dit kenniscafé is nog geen verslag.")
          )
        )
      );
    },

    // Every other collection: its own facts, then werkplaats, regions and themes.
    generic: function (collection) {
      var self = this;
      var rows = [];
      var day = dayOf(this.data("datum"));
      var kicker = KICKERS[collection] || "";
      if (collection === "nieuws" && day) {
        kicker = "Nieuws, " + LONG_DATE.format(day);
      }
      if (collection === "publicaties") {
        var soort = plain(this.data("soort")) || "publicatie";
        kicker = soort.charAt(0).toUpperCase() + soort.slice(1);
      }
      this.props.fields.forEach(function (field) {
        var name = field.get("name");
        var widget = field.get("widget");
        if (NOT_A_FACT.indexOf(name) !== -1 || ["werkplaats", "regios", "themas"].indexOf(name) !== -1) {
          return;
        }
        if (collection === "nieuws" && name === "datum") {
          return;
        }
        var value = self.data(name);
        var values;
        if (widget === "relation") {
          values = self.names(name);
        } else if (widget === "datetime" && field.get("date_format")) {
          var fieldDay = dayOf(value);
          values = fieldDay ? [LONG_DATE.format(fieldDay)] : [];
        } else if (widget === "select") {
          values = listOf(value).map(function (choice) {
            var option = (plain(field.get("options")) || []).find(function (item) {
              return item && item.value === choice;
            });
            return option ? option.label : String(choice);
          });
        } else if (widget === "boolean") {
          values = [];
        } else {
          values = listOf(value).map(String);
        }
        self.fact(rows, field.get("label"), values, values.length > 1 ? "plain-list" : null);
      });
      return h(
        "article",
        {},
        kicker ? h("p", { className: "kicker" }, kicker) : null,
        this.title(),
        h(
          "div",
          { className: "entry-layout" },
          h(
            "div",
            { className: "entry-layout__side" },
            rows.length ? h("dl", { className: "facts" }, rows) : null,
            this.links()
          ),
          h("div", { className: "entry-layout__text" }, this.body())
        )
      );
    },

    render: function () {
      var collection = this.props.collection.get("name");
      return h(
        "div",
        {},
        this.header(),
        h(
          "main",
          { className: "container", id: "inhoud" },
          collection === "kenniscafes" ? this.kenniscafe() : this.generic(collection)
        )
      );
    }
  });

  Object.keys(KICKERS).forEach(function (collection) {
    CMS.registerPreviewTemplate(collection, EntryPreview);
  });

  // vooraf.js kept Decap from starting itself; everything is registered now.
  CMS.init();
})();
