"""One editing screen per werkplaats, at /beheer/werkplaatsen/<slug>/ (from `redactie:`).

Decap CMS has no per-user settings: whoever signs in sees every collection of the
``config.yml`` the page loads. So when config.yaml has a `redactie:` section, the build
writes, next to the central screen /beheer/ (everything, for the central editors), one
screen per werkplaats that has editors of its own, each with its own ``config.yml``:

- kenniscafés, publicaties and nieuws: only the entries whose ``werkplaats`` is this one
  (Decap's collection ``filter``), and what the screen writes always names this
  werkplaats (the field is a choice of one, required);
- werkplaatsen: only its own file (a ``files`` collection: nothing new, nothing deleted);
- the collections the form refers to (themes, regions): hidden and read-only, present
  only so that the relation fields can search them; pages: absent.

Each screen is made from the central screen's collections (``beheer.cms_config``), so
every screen has the same fields, made from the one table in schema.py.

This is a convenience, not a guard. The forge lets every account with write access
change every file (in its web editor, or by typing another entry's address into the
screen), and Decap's workflow board lists the open changes of the whole collection. The
guard is the ownership check on every pull or merge request (`wsdgen check --sinds
--auteur`) and CODEOWNERS, both made from the same `redactie:` section (check/ownership.py).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping

import yaml

from wsdgen.check.ownership import OWNED_COLLECTIONS as OWNED
from wsdgen.load.config import SiteConfig
from wsdgen.publish.beheer import Widget, cms_config
from wsdgen.records import Werkplaats

SCREENS_PATH = "/beheer/werkplaatsen/"
# Keys of a folder collection that a files collection does not have (or has per file).
FOLDER_ONLY = (
    "folder",
    "fields",
    "create",
    "delete",
    "slug",
    "path",
    "filter",
    "nested",
    "meta",
    "limit",
    "sortable_fields",
    "view_filters",
    "view_groups",
    "preview_path",
    "preview_path_date_field",
    "preview_path_preserve_slashes",
)
# Keys a collection may have per file instead (Decap's config schema).
FILE_KEYS = ("preview_path", "preview_path_date_field", "preview_path_preserve_slashes")
# "Alleen de kenniscafés van ...": the collections a werkplaats screen filters, plural.
PLURALS = {
    "kenniscafes": "kenniscafés",
    "publicaties": "publicaties",
    "nieuws": "nieuwsberichten",
}


def screen_path(slug: str) -> str:
    """The site path of a werkplaats's editing screen: /beheer/werkplaatsen/<slug>/."""
    return f"{SCREENS_PATH}{slug}/"


def screen_werkplaatsen(
    config: SiteConfig, werkplaatsen: Mapping[str, Werkplaats]
) -> list[Werkplaats]:
    """The werkplaatsen that get a screen, by title: those that `redactie:` gives
    editors of their own and that are on the site (a draft werkplaats gets its screen
    once it is published). Without `redactie:`, none."""
    if config.redactie is None:
        return []
    found = [werkplaatsen[slug] for slug in config.redactie.werkplaatsen if slug in werkplaatsen]
    return sorted(found, key=lambda w: (w.title.casefold(), w.slug))


def werkplaats_cms_config(config: SiteConfig, werkplaats: Werkplaats) -> Widget:
    """Decap's configuration for one werkplaats's screen (see the module docstring)."""
    settings = copy.deepcopy(cms_config(config))
    shared: dict[str, Widget] = {}
    for collection in settings["collections"]:  # type: ignore[attr-defined]
        shared[str(collection["name"])] = collection
    # The owned collections first: Decap opens the first collection it shows.
    collections = [owned_collection(c, werkplaats) for n, c in shared.items() if n in OWNED]
    own = shared.get(werkplaats.collection)
    own_file = own_file_collection(own, werkplaats) if own is not None else None
    if own_file is not None:
        collections.append(own_file)
    present = {str(c["name"]) for c in collections}
    for name in shared:
        if name in referenced_collections(collections) and name not in present:
            collections.append(read_only_collection(shared[name]))
    settings["collections"] = collections
    return settings


def werkplaats_config_text(config: SiteConfig, werkplaats: Werkplaats) -> str:
    header = (
        f"# The editing screen of werkplaats '{werkplaats.slug}', made by wsdgen from the\n"
        "# content model (wsdgen/schema.py) and the `beheer:` and `redactie:` sections of\n"
        "# config.yaml; every build writes it again, so do not edit it here.\n"
    )
    body = yaml.safe_dump(
        werkplaats_cms_config(config, werkplaats), allow_unicode=True, sort_keys=False, width=100
    )
    return header + body


def fixed_werkplaats(field: Widget, werkplaats: Werkplaats) -> Widget:
    """The `werkplaats` field of a werkplaats's screen: a choice of one, required."""
    fixed: Widget = {
        "label": field.get("label", "Werkplaats"),
        "name": field["name"],
        "widget": "select",
        "options": [{"label": werkplaats.title, "value": werkplaats.slug}],
        "default": werkplaats.slug,
        "required": True,
        "hint": (
            f"In dit scherm hoort alles bij {werkplaats.title}. Is het van een andere "
            "werkplaats? Dan maakt de redactie van die werkplaats het, of de centrale redactie."
        ),
    }
    return fixed


def owned_collection(shared: Widget, werkplaats: Werkplaats) -> Widget:
    """Kenniscafés, publicaties or nieuws of one werkplaats only."""
    collection = copy.deepcopy(shared)
    name = str(collection["name"])
    collection["filter"] = {"field": "werkplaats", "value": werkplaats.slug}
    collection["create"] = True
    collection["delete"] = True
    collection["description"] = (
        f"Alleen de {PLURALS.get(name, name)} van {werkplaats.title}; wat je hier maakt, "
        f"hoort vanzelf bij {werkplaats.title}."
    )
    fields: list[Widget] = list(collection["fields"])  # type: ignore[call-overload]
    collection["fields"] = [
        fixed_werkplaats(field, werkplaats) if field.get("name") == "werkplaats" else field
        for field in fields
    ]
    return collection


def own_file_collection(shared: Widget, werkplaats: Werkplaats) -> Widget | None:
    """The werkplaats's own file as a ``files`` collection; None when the central screen
    does not list that file either (a .yaml file: edited in the repository)."""
    path = werkplaats.source.path
    extension = shared.get("extension")
    if extension and not path.endswith(f".{extension}"):
        return None
    collection = {key: copy.deepcopy(value) for key, value in shared.items()}
    one_file: Widget = {
        "name": werkplaats.slug,
        "label": werkplaats.title,
        "file": path,
        "fields": collection["fields"],
    }
    for key in FILE_KEYS:
        if key in collection:
            one_file[key] = collection[key]
    for key in FOLDER_ONLY:
        collection.pop(key, None)
    collection.update(
        create=False,
        delete=False,
        description=f"De pagina van {werkplaats.title} zelf.",
        files=[one_file],
    )
    return collection


def read_only_collection(shared: Widget) -> Widget:
    """A collection the form refers to: hidden from the menu, nothing new, nothing deleted,
    no publishing; the relation fields still search it."""
    collection = copy.deepcopy(shared)
    collection.update(hide=True, create=False, delete=False, publish=False)
    return collection


def referenced_collections(collections: Iterable[Widget]) -> set[str]:
    """The collections the relation fields of these collections search."""
    found: set[str] = set()
    for collection in collections:
        groups: list[list[Widget]] = []
        if "fields" in collection:
            groups.append(list(collection["fields"]))  # type: ignore[call-overload]
        for one_file in collection.get("files", ()):  # type: ignore[attr-defined]
            groups.append(list(one_file["fields"]))
        for fields in groups:
            found |= relation_targets(fields)
    return found


def relation_targets(fields: Iterable[Widget]) -> set[str]:
    found: set[str] = set()
    for field in fields:
        if field.get("widget") == "relation":
            found.add(str(field["collection"]))
        inner = field.get("fields") or ([field["field"]] if "field" in field else [])
        found |= relation_targets(inner)  # type: ignore[arg-type]
    return found


def screen_addresses(config: SiteConfig, werkplaatsen: Iterable[Werkplaats]) -> list[str]:
    """Every screen's full address (GitLab needs each as a Redirect URI), central first."""
    return [
        config.absolute_url("/beheer/"),
        *(config.absolute_url(screen_path(w.slug)) for w in werkplaatsen),
    ]
