"""The editing screen at /beheer/: Decap CMS, configured from the content model.

`schema.FIELDS` is the one description of the fields; this module turns it into the
CMS's ``config.yml``, so the form and ``wsdgen check`` cannot disagree on which fields
exist, which are required and what form a value takes. Rules a form cannot express (a
reference to a draft, the date in a file name, ...) are left to ``wsdgen check``.

The CMS itself is Decap CMS, vendored under ``theme/beheer/decap-cms/`` (a pinned
release with its licence and checksums), so a site never loads it from another host.
Every Markdown field has ``sanitize_preview: true``: Decap then passes the preview's
HTML through DOMPurify before it shows it, so a body with ``<img onerror=...>`` or a
``<script>`` cannot run on /beheer/, where the forge token is kept. (Decap 3.x already
sanitises when the option is missing; it is written out so an upgrade cannot turn it off.)
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from wsdgen.load.config import BeheerConfig, SiteConfig
from wsdgen.schema import (
    BODY_FIELD,
    CHOICE_LABELS,
    COLLECTION_LABELS,
    COLLECTION_TITLES,
    COLLECTIONS,
    DATED_COLLECTIONS,
    FIELDS,
    FieldSpec,
    field_text,
)

BEHEER_ROOT = Path(__file__).parent.parent / "theme" / "beheer"
DECAP_VERSION = "3.16.3"
DECAP_FOLDER = "decap-cms"
# Where the screen puts uploads (the folders the editors' guide names): images, from
# the `afbeelding` fields and the body's image button, and a publication's file.
IMAGE_FOLDER = "assets/afbeeldingen"
PUBLICATION_FOLDER = "assets/publicaties"
UPLOAD_FOLDERS = (IMAGE_FOLDER, PUBLICATION_FOLDER)
# The screen's own media folder ("Media" at the top, images in the body).
MEDIA_FOLDER = IMAGE_FOLDER
# Where earlier versions of the screen put every upload: still published and readable,
# no longer written (a file there keeps its address).
OLD_MEDIA_FOLDER = "assets/downloads"
# The local backend that `wsdgen serve` answers (the protocol of npm `decap-server`).
LOCAL_API = "beheer/api/v1"
# The theme's mark (a site can replace it with its own assets/img/favicon.svg).
LOGO = "/assets/img/favicon.svg"
# The Decap CMS format that bestand.js registers: front matter edited in place.
FILE_FORMAT = "wsdgen-frontmatter"
# Raw Markdown only: Decap's rich-text mode escapes typed Markdown ("\## Programma")
# but keeps typed HTML, so an editor's text would not be saved as typed.
MARKDOWN_MODES = ("raw",)

TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
URL_PATTERN = r"^https?://[^\s@/]+(/\S*)?$"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
ALIAS_PATTERN = r"^/[A-Za-z0-9._~%/-]*$"
# A title the form takes: the file name is made from it, and a name must stay well under
# the 200 characters the local backend allows (and the 255 bytes of most file systems).
MAX_TITLE_LENGTH = 150
TITLE_PATTERN = rf"^[\s\S]{{0,{MAX_TITLE_LENGTH}}}$"
# A body without embeds or images from another host (validate.remote_content), as far as
# one JavaScript pattern can tell; `wsdgen check` in the pull request says the rest.
EMBED_NAMES = ("iframe", "frame", "video", "audio", "source", "track", "embed", "object")

Widget = dict[str, object]


def beheer_wanted(config: SiteConfig) -> bool:
    """/beheer/ is built when config.yaml has a `beheer:` section, and always in serve."""
    return config.beheer is not None or config.local_beheer


def published_files() -> list[tuple[Path, str]]:
    """The CMS's own static files and where they are published (source, site path)."""
    files = []
    for path in sorted(BEHEER_ROOT.rglob("*")):
        if path.is_file() and not path.name.startswith(".") and path.name != "SHA256SUMS":
            files.append((path, "/beheer/" + path.relative_to(BEHEER_ROOT).as_posix()))
    return files


# --- One widget per kind of field. ---


def _pattern(regex: str, message: str) -> Widget:
    return {"widget": "string", "pattern": [regex, message]}


def _date(spec: FieldSpec) -> Widget:
    return {
        "widget": "datetime",
        "format": "YYYY-MM-DD",
        "date_format": "YYYY-MM-DD",
        "time_format": False,
    }


def _time(spec: FieldSpec) -> Widget:
    return {
        "widget": "datetime",
        "format": "HH:mm",
        "date_format": False,
        "time_format": "HH:mm",
    }


def _number(minimum: int | None = None, maximum: int | None = None) -> Widget:
    widget: Widget = {"widget": "number", "value_type": "int"}
    if minimum is not None:
        widget["min"] = minimum
    if maximum is not None:
        widget["max"] = maximum
    return widget


def _choice(spec: FieldSpec) -> Widget:
    options = [{"label": CHOICE_LABELS.get(value, value), "value": value} for value in spec.choices]
    return {"widget": "select", "options": options}


def _relation(spec: FieldSpec) -> Widget:
    assert spec.ref is not None
    return {
        "widget": "relation",
        "collection": spec.ref,
        "value_field": "{{slug}}",
        "search_fields": ["title"],
        "display_fields": ["title"],
        "options_length": 100,
    }


# One item of a list field, for Decap's "1 spreker" and "Voeg spreker toe" (without it,
# Decap uses the plural label: "1 sprekers").
LIST_SINGULAR = {
    "sprekers": "Spreker",
    "auteurs": "Auteur",
    "hogescholen": "Hogeschool",
    "lectoraten": "Lectoraat",
    "leiding": "Leidinggevende",
    "ouderenprogramma": "Ouderenprogramma",
    "partners": "Partner",
    "gemeenten": "Gemeente",
    "aliases": "Oud adres",
}


def _text_list(spec: FieldSpec) -> Widget:
    return {
        "widget": "list",
        "label_singular": LIST_SINGULAR.get(spec.name, "Naam"),
        "field": {"label": "Naam", "name": "naam", "widget": "string"},
    }


def _alias_list(spec: FieldSpec) -> Widget:
    item = {
        "label": "Oud adres",
        "name": "adres",
        **_pattern(ALIAS_PATTERN, "Een adres op de site, beginnend met /, zonder spaties"),
    }
    return {"widget": "list", "label_singular": LIST_SINGULAR["aliases"], "field": item}


def upload_folder(folder: str) -> Widget:
    """A field's own upload folder (Decap: a leading / is from the repository's root)."""
    return {"media_folder": "/" + folder, "public_folder": "/" + folder}


def _url_or_path(spec: FieldSpec) -> Widget:
    # Decap's file widget: upload into assets/publicaties/, or paste a web address.
    return {"widget": "file", "choose_url": True, **upload_folder(PUBLICATION_FOLDER)}


def _any_case(word: str) -> str:
    """A pattern for ``word`` in any case (Decap's patterns take no flags)."""
    return "".join(f"[{char.lower()}{char.upper()}]" if char.isalpha() else char for char in word)


def body_pattern() -> str:
    """No <iframe>, <video>, ... and no Markdown image or src= with another host."""
    embeds = "|".join(_any_case(name) for name in EMBED_NAMES)
    remote = r"(?:[A-Za-z][A-Za-z0-9+.-]*:|[/\\]{2})"
    return (
        rf"^(?![\s\S]*<(?:{embeds})\b)"
        rf"(?![\s\S]*!\[[^\]\n]*\]\(\s*<?{remote})"
        rf"(?![\s\S]*<[A-Za-z][^<>]*\s[sS][rR][cC]\s*=\s*[\"']?\s*{remote})"
        r"[\s\S]*$"
    )


BODY_MESSAGE = (
    "Geen ingesloten inhoud (zoals <iframe>) en geen afbeeldingen van een andere website; "
    "zet een afbeelding onder assets/ of maak er een gewone link van"
)


def _text(spec: FieldSpec) -> Widget:
    if spec.name == "summary":
        return {"widget": "text"}
    if spec.name == "title":
        return _pattern(TITLE_PATTERN, f"Hoogstens {MAX_TITLE_LENGTH} tekens")
    return {"widget": "string"}


def _markdown(spec: FieldSpec) -> Widget:
    return markdown_widget()


def markdown_widget() -> Widget:
    """Raw Markdown only (what an editor types is what is saved), a sanitised preview,
    and no embeds or images from elsewhere: the body and any Markdown field."""
    return {
        "widget": "markdown",
        "modes": list(MARKDOWN_MODES),
        "sanitize_preview": True,
        "pattern": [body_pattern(), BODY_MESSAGE],
    }


WIDGETS: dict[str, Callable[[FieldSpec], Widget]] = {
    "text": _text,
    "bool": lambda spec: {"widget": "boolean"},
    "date": _date,
    "year": lambda spec: _number(1900, 2200),
    "time": lambda spec: {**_time(spec), "pattern": [TIME_PATTERN, "Een tijd als 15:30"]},
    "count": lambda spec: _number(0, 999_999_999),
    "int": lambda spec: _number(),
    "url": lambda spec: _pattern(URL_PATTERN, "Een webadres dat begint met https://"),
    "url_or_path": _url_or_path,
    "email": lambda spec: _pattern(EMAIL_PATTERN, "Een e-mailadres, zoals info@example.nl"),
    "choice": _choice,
    "text_list": _text_list,
    "ref": _relation,
    "ref_list": lambda spec: {**_relation(spec), "multiple": True},
    "alias_list": _alias_list,
    "markdown": _markdown,
    # Uploaded into assets/afbeeldingen/; no address from elsewhere.
    "image": lambda spec: {"widget": "image", "choose_url": False, **upload_folder(IMAGE_FOLDER)},
    "alt_text": lambda spec: {"widget": "string"},
}


def field_widget(collection: str, spec: FieldSpec) -> Widget:
    """The CMS field for one FieldSpec: label, hint, widget and whether it is required."""
    text = field_text(collection, spec.name)
    widget: Widget = {"label": text.label, "name": spec.name}
    widget.update(WIDGETS[spec.kind](spec))
    widget["required"] = spec.required
    if spec.required and spec.kind == "ref_list":
        widget["min"] = 1
    hint = text.hint
    if spec.kind == "choice" and spec.default:
        shown = CHOICE_LABELS.get(str(spec.default), str(spec.default))
        hint = f"{hint} Leeg laten betekent: {shown}.".strip()
    if hint:
        widget["hint"] = hint
    return widget


def ordered_fields(collection: str) -> list[FieldSpec]:
    """Fields in the order of the editors' guide: title, summary, the collection's own
    fields, then draft and aliases (Decap writes front matter in this order)."""
    specs = FIELDS[collection]
    first = [s for s in specs if s.name in ("title", "summary")]
    last = [s for s in specs if s.name in ("draft", "aliases")]
    return [*first, *(s for s in specs if s not in first and s not in last), *last]


def collection_fields(collection: str, extra_fields: tuple[str, ...]) -> list[Widget]:
    fields = [field_widget(collection, spec) for spec in ordered_fields(collection)]
    for name in extra_fields:
        fields.append({"label": name, "name": name, "widget": "string", "required": False})
    body = field_text(collection, BODY_FIELD)
    body_widget: Widget = {
        "label": body.label,
        "name": BODY_FIELD,
        **markdown_widget(),
        "required": False,
    }
    if body.hint:
        body_widget["hint"] = body.hint
    fields.append(body_widget)
    return fields


# How an entry is shown in the lists of /beheer/: Dutch date, title, and whether it is
# a draft (Decap's summary template, with its `date` and `ternary` filters).
SUMMARY = "{{title}}{{draft | ternary(' (concept)', '')}}"
DATED_SUMMARY = "{{datum | date('DD-MM-YYYY')}} · " + SUMMARY


def preview_path(collection: str) -> str:
    """Where the entry's page is on the site (Decap's "Bekijk op de site" link), relative
    to `site_url`: the paths of docs/content-model.md, "Pages the build writes". Decap
    strips the trailing slash; the site redirects /kenniscafes/x to /kenniscafes/x/."""
    return "{{slug}}" if collection == "paginas" else f"{collection}/{{{{slug}}}}"


def sortable_fields(names: set[str]) -> list[object]:
    """Sorting choices of the list; with a date, newest first (a new kenniscafé then
    shows at the top, not below the whole archive)."""
    if "datum" in names:
        return [{"field": "datum", "default_sort": "desc"}, "title"]
    return [{"field": "title", "default_sort": "asc"}]


def collection_config(collection: str, extra_fields: tuple[str, ...]) -> Widget:
    dated = collection in DATED_COLLECTIONS
    names = {spec.name for spec in FIELDS[collection]}
    summary = DATED_SUMMARY if "datum" in names else SUMMARY
    singular = COLLECTION_LABELS[collection]
    return {
        "name": collection,
        "label": COLLECTION_TITLES[collection],
        "label_singular": singular[0].upper() + singular[1:],
        "folder": f"content/{collection}",
        # bestand.js edits the file in place, so a save keeps it as it was written. The
        # screen lists .md entries only; .yaml/.yml entries are edited in the repository.
        "extension": "md",
        "format": FILE_FORMAT,
        "create": True,
        "slug": "{{datum}}-{{slug}}" if dated else "{{slug}}",
        "identifier_field": "title",
        "summary": summary,
        "sortable_fields": sortable_fields(names),
        "preview_path": preview_path(collection),
        "fields": collection_fields(collection, extra_fields),
    }


def sign_in_helper(auth_url: str) -> Widget:
    """Where Decap's GitHub sign-in goes: an OAuth helper at ``auth_url``.

    Decap opens ``<base_url>/<auth_endpoint>`` in a pop-up and takes the token only from
    a message whose origin is exactly ``base_url``; a helper under a path
    (https://auth.example.org/wsd) is therefore given as its origin plus the path.
    """
    parts = urlsplit(auth_url)
    path = parts.path.strip("/")
    return {
        "base_url": f"{parts.scheme}://{parts.netloc}",
        "auth_endpoint": f"{path}/auth" if path else "auth",
    }


def backend_config(config: SiteConfig) -> Widget:
    """The forge the CMS commits to; in `serve`, the local folder instead."""
    if config.local_beheer:
        return {"name": "proxy", "proxy_url": config.base_url.rstrip("/") + "/" + LOCAL_API}
    beheer = config.beheer
    assert beheer is not None
    backend: Widget = {"name": beheer.forge, "repo": beheer.repository, "branch": beheer.branch}
    if beheer.forge == "gitlab":
        backend.update(
            auth_type="pkce",
            app_id=beheer.app_id,
            base_url=beheer.gitlab_url,
            api_root=f"{beheer.gitlab_url}/api/v4",
        )
    elif beheer.auth_url:
        backend.update(sign_in_helper(beheer.auth_url))
    backend["commit_messages"] = {
        "create": "{{collection}}: nieuw item {{slug}} (via /beheer/)",
        "update": "{{collection}}: {{slug}} bijgewerkt (via /beheer/)",
        "delete": "{{collection}}: {{slug}} verwijderd (via /beheer/)",
        "uploadMedia": "Bestand {{path}} toegevoegd (via /beheer/)",
        "deleteMedia": "Bestand {{path}} verwijderd (via /beheer/)",
    }
    return backend


def cms_config(config: SiteConfig) -> Widget:
    """Decap CMS's configuration for this site, as data."""
    settings: Widget = {"locale": "nl", "backend": backend_config(config)}
    # The site's own mark on the sign-in page instead of Decap's logo (beheer.js adds
    # the site's name under it).
    settings["logo"] = {"src": config.url(LOGO), "show_in_header": False}
    if not config.local_beheer:
        settings["publish_mode"] = "editorial_workflow"
    settings.update(
        media_folder=MEDIA_FOLDER,
        public_folder="/" + MEDIA_FOLDER,
        # "Bekijk op de site" in the editor's top bar, to the entry's page at site_url.
        show_preview_links=True,
        slug={"encoding": "ascii", "clean_accents": True, "sanitize_replacement": "-"},
        collections=[collection_config(c, config.extra_fields.get(c, ())) for c in COLLECTIONS],
    )
    if config.base_url.startswith(("http://", "https://")):
        settings["site_url"] = config.base_url
    return settings


def cms_config_text(config: SiteConfig) -> str:
    header = (
        "# Made by wsdgen from its content model (wsdgen/schema.py) and the `beheer:`\n"
        "# section of config.yaml; every build writes it again, so do not edit it here.\n"
    )
    body = yaml.safe_dump(cms_config(config), allow_unicode=True, sort_keys=False, width=100)
    return header + body


def forge_origins(beheer: BeheerConfig | None) -> list[str]:
    """The hosts the editing screen may talk to besides the site: the forge's API."""
    if beheer is None:
        return []
    if beheer.forge == "github":
        return ["https://api.github.com"]
    parts = urlsplit(beheer.gitlab_url)
    return [f"{parts.scheme}://{parts.netloc}"]


def content_security_policy(config: SiteConfig) -> str:
    """What /beheer/ may load: its own files, and talk to the forge's API only.

    Decap compiles its config schema at run time ('unsafe-eval') and styles its React
    components inline ('unsafe-inline' for styles); neither lets another host in.
    An upload is first held as a ``blob:`` URL of the file the editor chose; to save it,
    Decap fetches that URL back (AssetProxy.toBase64), so ``connect-src`` has ``blob:``
    (a blob: URL is made by this page itself and reaches no host). Nothing else is
    added: no ``data:``, no wildcard.
    """
    forge = " ".join(forge_origins(config.beheer))
    connect = f"'self' blob: {forge}".strip()
    return (
        "default-src 'self'; "
        "script-src 'self' 'unsafe-eval'; "
        "style-src 'self' 'unsafe-inline'; "
        f"img-src 'self' data: blob:; connect-src {connect}; "
        "font-src 'self' data:; frame-src 'self'; worker-src 'self' blob:; "
        "object-src 'none'; base-uri 'self'; form-action 'self'"
    )
