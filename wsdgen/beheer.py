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

from .config import BeheerConfig, SiteConfig
from .schema import (
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

BEHEER_ROOT = Path(__file__).parent / "theme" / "beheer"
DECAP_VERSION = "3.16.3"
DECAP_FOLDER = "decap-cms"
MEDIA_FOLDER = "assets/downloads"
# The local backend that `wsdgen serve` answers (the protocol of npm `decap-server`).
LOCAL_API = "beheer/api/v1"

TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
URL_PATTERN = r"^https?://[^\s@/]+(/\S*)?$"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
ALIAS_PATTERN = r"^/[A-Za-z0-9._~%/-]*$"

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


def _text_list(spec: FieldSpec) -> Widget:
    return {
        "widget": "list",
        "field": {"label": "Naam", "name": "naam", "widget": "string"},
    }


def _alias_list(spec: FieldSpec) -> Widget:
    item = {
        "label": "Oud adres",
        "name": "adres",
        **_pattern(ALIAS_PATTERN, "Een adres op de site, beginnend met /, zonder spaties"),
    }
    return {"widget": "list", "field": item}


def _url_or_path(spec: FieldSpec) -> Widget:
    # Decap's file widget: upload into the media folder, or paste a web address.
    return {"widget": "file", "choose_url": True}


WIDGETS: dict[str, Callable[[FieldSpec], Widget]] = {
    "text": lambda spec: {"widget": "text" if spec.name == "summary" else "string"},
    "bool": lambda spec: {"widget": "boolean"},
    "date": _date,
    "year": lambda spec: _number(1900, 2200),
    "time": _time,
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
    "markdown": lambda spec: {"widget": "markdown", "sanitize_preview": True},
    # Uploaded into the media folder (assets/downloads/); no address from elsewhere.
    "image": lambda spec: {"widget": "image", "choose_url": False},
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
        "widget": "markdown",
        "sanitize_preview": True,
        "required": False,
    }
    if body.hint:
        body_widget["hint"] = body.hint
    fields.append(body_widget)
    return fields


def collection_config(collection: str, extra_fields: tuple[str, ...]) -> Widget:
    dated = collection in DATED_COLLECTIONS
    names = {spec.name for spec in FIELDS[collection]}
    summary = "{{datum}} · {{title}}" if "datum" in names else "{{title}}"
    singular = COLLECTION_LABELS[collection]
    return {
        "name": collection,
        "label": COLLECTION_TITLES[collection],
        "label_singular": singular[0].upper() + singular[1:],
        "folder": f"content/{collection}",
        "extension": "md",
        "format": "frontmatter",
        "create": True,
        "slug": "{{datum}}-{{slug}}" if dated else "{{slug}}",
        "identifier_field": "title",
        "summary": summary,
        "sortable_fields": ["datum", "title"] if "datum" in names else ["title"],
        "fields": collection_fields(collection, extra_fields),
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
        backend["base_url"] = beheer.auth_url
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
    if not config.local_beheer:
        settings["publish_mode"] = "editorial_workflow"
    settings.update(
        media_folder=MEDIA_FOLDER,
        public_folder="/" + MEDIA_FOLDER,
        show_preview_links=False,
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
    """
    forge = " ".join(forge_origins(config.beheer))
    connect = f"'self' {forge}".strip()
    return (
        "default-src 'self'; "
        "script-src 'self' 'unsafe-eval'; "
        "style-src 'self' 'unsafe-inline'; "
        f"img-src 'self' data: blob:; connect-src {connect}; "
        "font-src 'self' data:; frame-src 'self'; worker-src 'self' blob:; "
        "object-src 'none'; base-uri 'self'; form-action 'self'"
    )
