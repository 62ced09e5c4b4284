/*
 * Dutch for every string of /beheer/ (loaded after decap-cms.js, before beheer.js).
 *
 * 1. Decap's own Dutch locale ('nl', chosen by `locale: nl` in config.yml) leaves about
 *    seventy phrases in English (the fallback): tooltips such as "Strikethrough" and
 *    "Quote", screen-reader labels such as "Set datum to now", "Expand" and "string
 *    field", the list/grid switch, the notes pane. PHRASES fills those gaps and fixes a
 *    few Dutch ones; it is merged over the built-in phrases and registered as 'nl'
 *    again (CMS.registerLocale replaces a locale as a whole).
 * 2. A few strings are written into Decap's code, not looked up in a locale: the
 *    relation field's select box (react-select: "Remove Armoede", "Loading options…",
 *    "No options", and the messages of its screen-reader live region) and some
 *    notifications ("Failed to persist media: ...", "API_ERROR: ..."). No setting
 *    reaches them, so a MutationObserver translates exactly those known strings in
 *    text and in the aria-label, title and placeholder attributes as they appear.
 */
(function () {
  "use strict";
  var CMS = window.CMS;
  if (!CMS) {
    return;
  }

  var PHRASES = {
    auth: {
      loginWithForgejo: "Inloggen met Forgejo"
    },
    app: {
      app: {
        loadingConfig: "Configuratie laden..."
      }
    },
    collection: {
      collectionTop: {
        viewAs: "Weergave",
        viewAsList: "Als lijst",
        viewAsGrid: "Als tegels"
      },
      entries: {
        cachingEntries: "Items worden in de browser bewaard",
        unpublishedHeader: "Niet-gepubliceerde items"
      }
    },
    editor: {
      editorControl: {
        field: {
          // Decap fills in the widget's type ("string", "relation"): no word for an
          // editor, so the label leaves it out.
          widgetLabel: "Invoerveld"
        }
      },
      editorControlPane: {
        widget: {
          invalidPath: "'%{path}' is geen geldig pad",
          pathExists: "Het pad '%{path}' bestaat al"
        },
        i18n: {
          copyFromLocale: "Overnemen uit een andere taal",
          copyFromLocaleConfirm:
            "Wil je de tekst uit %{locale} overnemen?\nAlles wat er nu staat, wordt overschreven."
        }
      },
      editor: {
        onPublishingNotReady: "Zet de status op \"Klaar\" voordat je publiceert."
      },
      editorInterface: {
        toggleI18n: "Talen naast elkaar tonen of verbergen",
        togglePreview: "Voorvertoning tonen of verbergen",
        toggleScrollSync: "Formulier en voorvertoning samen laten scrollen",
        toggleNotes: "Notities tonen of verbergen"
      },
      editorNotesPane: {
        title: "Notities",
        emptyState: "Nog geen notities. Schrijf hieronder de eerste.",
        addNote: "Notitie toevoegen",
        addPlaceholder: "Schrijf een notitie...",
        editPlaceholder: "Pas je notitie aan...",
        save: "Opslaan",
        cancel: "Annuleren",
        edit: "Bewerken",
        delete: "Verwijderen",
        resolve: "Afhandelen",
        unresolve: "Weer openen",
        confirmDelete: "Weet je zeker dat je deze notitie wilt verwijderen?",
        shortcut: "Tip: met Ctrl+Enter voeg je de notitie meteen toe"
      },
      editorToolbar: {
        statusInfoTooltipDraft:
          "De status is Concept. Ben je klaar, zet de status dan op \u2018Wordt beoordeeld\u2019.",
        statusInfoTooltipInReview:
          "Het item wordt beoordeeld; je hoeft niets meer te doen. Aanpassen kan nog wel.",
        deployButtonLabel: "Bekijk op de site",
        deployPreviewButtonLabel: "Bekijk de voorvertoning"
      },
      editorWidgets: {
        markdown: {
          strikethrough: "Doorhalen",
          linkPrompt: "Het webadres van de link",
          headings: "Kopjes",
          quote: "Citaat",
          addComponent: "Onderdeel toevoegen",
          richText: "Opmaak",
          toggleMode: {
            rich: "Naar de tekst met opmaak",
            markdown: "Naar Markdown"
          }
        },
        image: {
          chooseMultiple: "Kies afbeeldingen",
          addMore: "Meer afbeeldingen toevoegen",
          removeAll: "Alle afbeeldingen verwijderen"
        },
        file: {
          chooseMultiple: "Kies bestanden",
          addMore: "Meer bestanden toevoegen",
          removeAll: "Alle bestanden verwijderen"
        },
        headingOptions: {
          headingOne: "Kop 1",
          headingTwo: "Kop 2",
          headingThree: "Kop 3",
          headingFour: "Kop 4",
          headingFive: "Kop 5",
          headingSix: "Kop 6"
        },
        datetime: {
          // Decap fills in the field's name ("datum", "begintijd").
          setToNow: "Zet %{fieldLabel} op nu"
        },
        list: {
          addType: "Voeg %{item} toe"
        },
        object: {
          expand: "Uitklappen",
          collapse: "Inklappen"
        }
      }
    },
    mediaLibrary: {
      mediaLibraryModal: {
        close: "Sluiten"
      }
    },
    ui: {
      settingsDropdown: {
        account: "Accountmenu"
      },
      toast: {
        onLoggedOut: "Je bent uitgelogd. Bewaar je werk en log daarna opnieuw in.",
        onBackendDown: "De server van de repository heeft een storing. Zie %{details}.",
        noteAdded: "Notitie toegevoegd",
        onFailToAddNote: "Notitie niet toegevoegd: %{details}",
        noteUpdated: "Notitie bijgewerkt",
        onFailToUpdateNote: "Notitie niet bijgewerkt: %{details}",
        noteDeleted: "Notitie verwijderd",
        onFailToDeleteNote: "Notitie niet verwijderd: %{details}",
        noteResolved: "Notitie afgehandeld",
        noteReopened: "Notitie weer geopend",
        onFailToToggleNote: "Notitie niet aangepast: %{details}"
      }
    },
    workflow: {
      workflow: {
        // A dayjs format, shown on the cards: 14-3-2031 instead of "March 14".
        dateFormat: "D-M-YYYY"
      },
      workflowList: {
        onPublishingNotReadyEntry:
          "Alleen items met de status \"Klaar\" kunnen worden gepubliceerd. Sleep de kaart " +
          "naar de kolom \"Klaar\"."
      }
    }
  };

  function merged(base, extra) {
    var result = {};
    Object.keys(base || {}).forEach(function (key) {
      result[key] = base[key];
    });
    Object.keys(extra).forEach(function (key) {
      var value = extra[key];
      var old = result[key];
      if (value && typeof value === "object" && old && typeof old === "object") {
        result[key] = merged(old, value);
      } else {
        result[key] = value;
      }
    });
    return result;
  }

  CMS.registerLocale("nl", merged(CMS.getLocale("nl"), PHRASES));

  // --- Strings in Decap's code that no locale reaches. ---

  // Whole texts and attribute values, wherever Decap shows them.
  var EXACT = {
    "Loading options\u2026": "Opties laden\u2026",
    "Loading...": "Laden...",
    "No options": "Geen opties",
    "Select...": "Kies...",
    "All selected options have been cleared.": "Alle keuzes zijn gewist."
  };
  // [pattern, replacement] rules (String.replace syntax), each for one place only.
  var LABELS = [[/^Remove (.+)$/, "Verwijder $1"]]; // react-select's remove button
  var NOTIFICATIONS = [
    [/^Failed to persist media: /, "Het bestand kon niet worden opgeslagen: "],
    [/API_ERROR: /g, ""],
    [/TypeError: Failed to fetch/g, "geen verbinding met de server"]
  ];
  // react-select's screen-reader live region (spans #aria-selection and so on).
  var LIVE_REGION = [
    [/^options? (.*), selected\.$/, "$1 gekozen."],
    [/^option (.*), deselected\.$/, "$1 niet meer gekozen."],
    [/^option (.*) is disabled\. Select another option\.$/, "$1 kan niet. Kies iets anders."],
    [/^value (.*) focused, (\d+) of (\d+)\.$/, "$1, keuze $2 van $3."],
    [/^(.*?)(?: selected)?(?: disabled)?, (\d+) of (\d+)\.$/, "$1, $2 van $3."],
    [/^(\d+) results? available(?: for search term (.*))?\.$/, "$1 resultaten."],
    [/^(.*) for search term (.*)\.$/, "$1 voor zoekterm $2."],
    [
      /^Use Up and Down to choose options, press Enter to select the currently focused option, press Escape to exit the menu(, press Tab to select the option and exit the menu)?\.$/,
      "Kies met pijl omhoog en omlaag, Enter neemt de gemarkeerde keuze, Escape sluit de lijst."
    ],
    [
      /^.* is focused ?(,type to refine list)?, press Down to open the menu, ?( press left to focus selected values)?$/,
      "Typ om te zoeken, pijl omlaag opent de lijst, pijl links gaat naar de gekozen waarden."
    ],
    [
      /^Use left and right to toggle between focused values, press Backspace to remove the currently focused value$/,
      "Pijl links en rechts gaan langs de gekozen waarden, Backspace verwijdert de gemarkeerde."
    ]
  ];
  var LIVE_REGION_IDS = ["aria-selection", "aria-focused", "aria-results", "aria-guidance"];
  var ATTRIBUTES = ["aria-label", "title", "placeholder"];
  // What an editor typed is never touched: the body editor, text areas, the preview
  // (another document anyway).
  var USER_TEXT = "[contenteditable], textarea, input, [data-slate-editor]";

  function applied(rules, text) {
    var result = text;
    rules.forEach(function (rule) {
      result = result.replace(rule[0], rule[1]);
    });
    return result;
  }

  function exact(text) {
    var trimmed = text.trim();
    return Object.prototype.hasOwnProperty.call(EXACT, trimmed) ? EXACT[trimmed] : text;
  }

  function translateElement(element) {
    ATTRIBUTES.forEach(function (name) {
      var value = element.getAttribute(name);
      if (!value) {
        return;
      }
      var dutch = exact(value);
      if (name === "aria-label") {
        dutch = applied(LABELS, dutch);
      }
      if (dutch !== value) {
        element.setAttribute(name, dutch);
      }
    });
  }

  function translateText(node) {
    var parent = node.parentElement;
    if (!parent || !node.data.trim() || parent.closest(USER_TEXT)) {
      return;
    }
    var dutch = exact(node.data);
    if (LIVE_REGION_IDS.indexOf(parent.id) !== -1) {
      dutch = applied(LIVE_REGION, dutch);
    } else if (parent.closest(".Toastify")) {
      dutch = applied(NOTIFICATIONS, dutch);
    }
    if (dutch !== node.data) {
      node.data = dutch;
    }
  }

  function translateTree(root) {
    if (root.nodeType === Node.TEXT_NODE) {
      translateText(root);
      return;
    }
    if (root.nodeType !== Node.ELEMENT_NODE) {
      return;
    }
    translateElement(root);
    root.querySelectorAll("[aria-label], [title], [placeholder]").forEach(translateElement);
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      translateText(walker.currentNode);
    }
  }

  var observer = new MutationObserver(function (mutations) {
    mutations.forEach(function (mutation) {
      if (mutation.type === "attributes") {
        translateElement(mutation.target);
      } else if (mutation.type === "characterData") {
        translateText(mutation.target);
      } else {
        mutation.addedNodes.forEach(translateTree);
      }
    });
  });

  function start() {
    translateTree(document.body);
    observer.observe(document.body, {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
      attributeFilter: ATTRIBUTES
    });
  }

  if (document.body) {
    start();
  } else {
    document.addEventListener("DOMContentLoaded", start);
  }
})();
