"""The plan is the one list of the site's paths: checks that every planned file and
asset has a place of its own, that free pages keep off reserved names, and that
publication links on the site itself lead somewhere.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from wsdgen import diagnostics as diag
from wsdgen.check.urls import INDEX, Claim, compared_file, find_collisions, normal_path
from wsdgen.diagnostics import Diagnostic
from wsdgen.media.assets import Assets
from wsdgen.plan.pageplan import (
    SITE_CLAIM,
    PagePlan,
)

# Site paths that are not pages but still belong to the site (or its editing screen).
RESERVED_PREFIXES = ("/assets/", "/pagefind/", "/beheer/", "/.well-known/")


def path_problems(plans: list[PagePlan], assets: Assets, base_url: str = "") -> list[Diagnostic]:
    """The plan is the one list of the site's paths: every planned file and asset must
    land in a place of its own, free pages may not take a top-level name the site uses,
    and a publication's url on the site itself must point at something that exists."""
    known = {normal_path(p.path) for p in plans} | {normal_path(a) for a in assets.site_paths}
    reserved = reserved_names(plans)
    misnamed = [p for p in plans if p.template == "pagina.html" and p.path.strip("/") in reserved]
    placed = [p for p in plans if p not in misnamed]
    return [
        *collision_problems(placed, assets),
        *(reserved_error(plan) for plan in misnamed),
        *missing_url_problems(plans, known),
        *own_host_url_problems(plans, known, base_url),
    ]


def missing_url_problems(plans: list[PagePlan], known: set[str]) -> list[Diagnostic]:
    """A publication whose url is a site path must point at a page or file of the site."""
    problems = []
    for plan in plans:
        entry = plan.entry
        url = getattr(entry, "url", None) if plan.template == "publicatie.html" else None
        if entry is not None and isinstance(url, str) and url.startswith("/"):
            if normal_path(url) in known:
                continue
            problems.append(
                diag.error(
                    entry.source.path,
                    entry.source.line_of("url"),
                    f"url: '{url}' bestaat niet op de site; zet het bestand onder assets/ "
                    "(dan is het adres /assets/...)",
                    "url",
                )
            )
    return problems


def own_host_url_problems(
    plans: list[PagePlan], known: set[str], base_url: str
) -> list[Diagnostic]:
    """A publication's full web address on the site's own host (often a link into the
    old site) that the new site does not serve: a warning, as it will stop working
    when the new site goes live."""
    own = urlsplit(base_url)
    if not own.hostname:
        return []
    base_path = own.path if own.path.endswith("/") else own.path + "/"
    problems = []
    for plan in plans:
        entry = plan.entry
        url = getattr(entry, "url", None) if plan.template == "publicatie.html" else None
        if entry is None or not isinstance(url, str):
            continue
        parts = urlsplit(url)
        if parts.hostname is None or parts.hostname.lower() != own.hostname.lower():
            continue
        path = unquote(parts.path) or "/"
        inside = path.startswith(base_path) or path + "/" == base_path
        if inside and normal_path("/" + path[len(base_path) :]) in known:
            continue
        name = PurePosixPath(path).name or "bestand.pdf"
        problems.append(
            diag.warning(
                entry.source.path,
                entry.source.line_of("url"),
                f"url: {url[:120]} staat op deze site zelf ({own.hostname}), maar de nieuwe "
                f"site heeft daar geen pagina of bestand; na de overstap werkt de link niet "
                f"meer. Zet het bestand in assets/publicaties/ en schrijf "
                f"url: /assets/publicaties/{name}, of verwijs naar een andere plek waar het "
                "staat",
                "url",
            )
        )
    return problems


def collision_problems(plans: list[PagePlan], assets: Assets) -> list[Diagnostic]:
    """Two planned files (or a file and a folder) in one place, after normalising; and
    aliases out of their lane (see alias_lane_problem)."""
    site_first = sorted(plans, key=claim_order)
    claims = [(a, Claim("een bestand onder assets/")) for a in sorted(assets.site_paths)]
    spaces = entry_spaces(plans)
    problems: list[Diagnostic] = []
    for plan in site_first:
        problem = alias_lane_problem(plan, spaces) if plan.claim.field == "aliases" else None
        if problem is not None:
            problems.append(problem)
        else:
            claims.append((plan.path, plan.claim))
    for collision in find_collisions(claims):
        problems.append(alias_error(collision.claim, collision.wanted, collision.holder.owner))
    return problems


# Names at the root of a site that hosts read themselves (GitHub Pages, GitLab Pages,
# Netlify, Cloudflare Pages, Apache, browsers and crawlers): an alias there would take
# over the host's setting, the site's icon or its crawler rules, or be served as the
# home page (index.htm). Compared case folded, as the file name of the alias's folder.
HOST_NAMES = frozenset(
    {
        "cname",
        "favicon.ico",
        "index.htm",
        "index.html",
        "index.php",
        "default.htm",
        "404.html",
        "404.htm",
        "200.html",
        "robots.txt",
        "sitemap.xml",
        "humans.txt",
        "security.txt",
        "ads.txt",
        "_redirects",
        "_headers",
        "_routes.json",
        "_config.yml",
        "netlify.toml",
        "vercel.json",
        "crossdomain.xml",
        "browserconfig.xml",
        "manifest.json",
        "site.webmanifest",
        "apple-touch-icon.png",
        "apple-touch-icon-precomposed.png",
        ".htaccess",
        ".well-known",
        ".nojekyll",
    }
)


def entry_spaces(plans: list[PagePlan]) -> dict[str, Claim]:
    """Each entry's page path (compared form of its folder) and the claim of that page:
    the entry's space, where no alias may lie."""
    spaces: dict[str, Claim] = {}
    for plan in plans:
        entry = plan.entry
        if entry is None or plan.claim.field == "aliases" or plan.claim is SITE_CLAIM:
            continue
        if normal_path(plan.path) == normal_path(entry.path):
            spaces.setdefault(compared_file(entry.path), plan.claim)
    return spaces


def alias_lane_problem(plan: PagePlan, spaces: dict[str, Claim]) -> Diagnostic | None:
    """An alias may not take the home page or a fixed place of the site (/assets/,
    /pagefind/, /beheer/), a root name a host reads itself (HOST_NAMES), nor lie at or
    below an entry's page path: that space belongs to that entry (and its editors).
    Compared after Unicode NFC and case folding, as hosts and disks may."""
    compared = compared_file(plan.path)
    folder = "/" + compared.removesuffix(INDEX)
    first = compared.split("/", 1)[0]
    if folder == "/" or folder.startswith(RESERVED_PREFIXES):
        return alias_error(plan.claim, plan.path, "een vaste plek van de site")
    if first in HOST_NAMES or first.endswith("."):
        return diag.error(
            plan.claim.path or "config.yaml",
            plan.claim.line,
            f"aliases: '{plan.path}' is een naam die webhosts zelf gebruiken (zoals CNAME, "
            "favicon.ico, robots.txt of index.htm); daar kan geen oud adres staan",
            plan.claim.field,
        )
    parts = compared.split("/")[:-1]
    for depth in range(len(parts), 0, -1):
        space = "/".join(parts[:depth]) + "/" + INDEX
        holder = spaces.get(space)
        if holder is None:
            continue
        if space == compared:
            return None  # the page itself: a collision, told as such (find_collisions)
        if holder.path == plan.claim.path:
            message = (
                f"aliases: '{plan.path}' ligt onder het adres van deze pagina zelf; "
                "een oud adres daar heeft geen zin. Haal het weg"
            )
        else:
            message = (
                f"aliases: '{plan.path}' ligt onder het adres van {holder.owner}: "
                "die plek hoort bij dat item (en wie het bijhoudt). Een oud adres mag alleen "
                "een adres zijn dat nu van geen enkele pagina is"
            )
        return diag.error(plan.claim.path or "config.yaml", plan.claim.line, message, "aliases")
    return None


def claim_order(plan: PagePlan) -> int:
    """The site's own files claim their paths first, then entry pages, then aliases."""
    if plan.claim is SITE_CLAIM:
        return 0
    return 2 if plan.claim.field == "aliases" else 1


def alias_error(claim: Claim, path: str, holder: str) -> Diagnostic:
    if claim.field == "aliases":
        message = (
            f"aliases: '{path}' is al in gebruik door {holder}; een oud adres mag maar naar "
            "één pagina leiden en geen bestaande pagina vervangen"
        )
    else:
        message = f"het adres '{path}' van deze pagina is al in gebruik door {holder}"
    return diag.error(claim.path or "config.yaml", claim.line, message, claim.field)


def reserved_names(plans: list[PagePlan]) -> set[str]:
    """Top-level names the site itself uses ('zoeken', '404', 'sitemap', 'assets', ...)."""
    taken = {"assets", "pagefind", "beheer", "index", "well-known"}
    for plan in plans:
        if plan.claim is SITE_CLAIM:
            first = plan.path.strip("/").split("/")[0]
            taken.add(first.rsplit(".", 1)[0] if "." in first else first)
    return taken


def reserved_error(plan: PagePlan) -> Diagnostic:
    name = plan.path.strip("/")
    return diag.error(
        plan.claim.path,
        1,
        f"een pagina mag niet '{name}' heten: dat adres gebruikt de site zelf; kies een "
        "andere bestandsnaam",
    )
