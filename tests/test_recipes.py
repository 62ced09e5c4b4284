"""The publishing recipes in docs/ci/ work as written (issue 22, point 4).

Each recipe is parsed (YAML or TOML), its shell scripts are run by bash with every
program stubbed out except the shell itself, so the wsdgen command lines are exactly
those CI would run, with the variables CI would set. Each command line is then parsed
by wsdgen's own argument parser, and the recipe is held to what the docs promise:
pull requests are checked against their base with annotations, never with --strict;
publishing builds write the folder the host publishes, for the address it publishes at.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from conftest import REPO

from wsdgen.cli import check_options_problem, make_parser

RECIPES = REPO / "docs/ci"
GITHUB = RECIPES / "github-actions.yml"
GITLAB = RECIPES / "gitlab-ci.yml"
NETLIFY = RECIPES / "netlify.toml"

# What each host sets while the job runs (documented values, as examples).
CI_VARIABLES = {
    "BASE_SHA": "0123456789abcdef0123456789abcdef01234567",
    "PR_AUTHOR": "jan",
    "PUSHED_BY": "anna",
    "CI_MERGE_REQUEST_DIFF_BASE_SHA": "89abcdef0123456789abcdef0123456789abcdef",
    "GITLAB_USER_LOGIN": "piet",
    "CI_PAGES_URL": "https://werkplaatsen.gitlab.io/site",
    "URL": "https://werkplaatsen.netlify.app",
    "DEPLOY_PRIME_URL": "https://deploy-preview-12--werkplaatsen.netlify.app",
    "GITHUB_OUTPUT": "/dev/null",
}
GITHUB_PAGES_URL = "https://werkplaatsen.github.io/site"

STUB = r"""
wsdgen() { printf '%s\037' "$@" >> "$WSDGEN_CALLS"; printf '\036' >> "$WSDGEN_CALLS"; }
for tool in python python3 pip chmod rm mkdir find sha256sum cut sort cat echo cp; do
  eval "$tool() { :; }"
done
"""


@dataclass(frozen=True)
class Call:
    where: str  # the job or context it runs in
    argv: list[str]


def run_script(script: str, where: str, tmp_path: Path, extra: dict[str, str]) -> list[Call]:
    """The wsdgen command lines ``script`` runs, as bash expands them."""
    calls = tmp_path / f"{re.sub(r'[^a-z0-9]+', '-', where.lower())}.calls"
    calls.write_bytes(b"")
    env = {"PATH": "/usr/bin:/bin", "WSDGEN_CALLS": str(calls), **CI_VARIABLES, **extra}
    done = subprocess.run(
        ["bash", "-e", "-c", STUB + script],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, (where, done.stderr)
    records = calls.read_bytes().decode().split("\036")
    return [Call(where, record.split("\037")[:-1]) for record in records if record]


def github_expressions(text: str) -> str:
    """${{ ... }} as GitHub fills it in, for the two expressions the recipe uses."""
    text = text.replace("${{ steps.pages.outputs.base_url }}", GITHUB_PAGES_URL)
    return re.sub(r"\$\{\{[^}]*\}\}", "x", text)


def github_calls(tmp_path: Path) -> list[Call]:
    workflow = yaml.safe_load(GITHUB.read_text(encoding="utf-8"))
    found = []
    for name, job in workflow["jobs"].items():
        for step in job["steps"]:
            if "run" in step:
                env = {k: github_expressions(str(v)) for k, v in step.get("env", {}).items()}
                env = {k: CI_VARIABLES.get(k, v) for k, v in env.items()}
                found += run_script(github_expressions(step["run"]), name, tmp_path, env)
    return found


def gitlab_calls(tmp_path: Path) -> list[Call]:
    pipeline = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))
    before = pipeline.get("default", {}).get("before_script", [])
    found = []
    for name, job in pipeline.items():
        if isinstance(job, dict) and "script" in job:
            script = "\n".join([*job.get("before_script", before), *job["script"]])
            found += run_script(script, name, tmp_path, {})
    return found


def netlify_calls(tmp_path: Path) -> list[Call]:
    config = tomllib.loads(NETLIFY.read_text(encoding="utf-8"))
    found = run_script(config["build"]["command"], "build", tmp_path, {})
    for context, settings in config.get("context", {}).items():
        found += run_script(settings["command"], context, tmp_path, {})
    return found


def parsed(call: Call):
    """The command line as wsdgen reads it (a usage error fails the test)."""
    try:
        args = make_parser().parse_args(call.argv)
    except SystemExit as exc:  # pragma: no cover - the failure is the message
        pytest.fail(f"{call.where}: wsdgen {shlex.join(call.argv)} is not a valid command ({exc})")
    assert check_options_problem(args) is None if args.command == "check" else True
    return args


def test_the_recipes_parse(tmp_path: Path) -> None:
    assert isinstance(yaml.safe_load(GITHUB.read_text(encoding="utf-8")), dict)
    assert isinstance(yaml.safe_load(GITLAB.read_text(encoding="utf-8")), dict)
    assert isinstance(tomllib.loads(NETLIFY.read_text(encoding="utf-8")), dict)


@pytest.mark.parametrize("calls_of", [github_calls, gitlab_calls, netlify_calls])
def test_every_wsdgen_command_in_a_recipe_exists(tmp_path: Path, calls_of) -> None:
    calls = calls_of(tmp_path)
    assert calls, "the recipe runs no wsdgen command"
    for call in calls:
        parsed(call)


def test_github_checks_pull_requests_against_their_base_with_annotations(tmp_path: Path) -> None:
    calls = [c for c in github_calls(tmp_path) if c.where == "check"]
    checks = [parsed(c) for c in calls if c.argv[0] == "check"]
    [check] = checks
    assert check.format == "github"
    assert check.sinds == CI_VARIABLES["BASE_SHA"]
    assert check.auteur == ["@jan", "@anna"]
    assert not check.strict
    builds = [parsed(c) for c in calls if c.argv[0] == "build"]
    assert builds and not any(b.strict for b in builds), "warnings must not fail other PRs"


def test_gitlab_checks_merge_requests_against_their_base(tmp_path: Path) -> None:
    calls = [c for c in gitlab_calls(tmp_path) if c.where == "check"]
    [check] = [parsed(c) for c in calls if c.argv[0] == "check"]
    assert check.sinds == CI_VARIABLES["CI_MERGE_REQUEST_DIFF_BASE_SHA"]
    assert check.auteur == ["@piet"]
    assert not any(parsed(c).strict for c in calls)


def published_builds(calls: list[Call], where: str) -> list:
    return [parsed(c) for c in calls if c.where == where and c.argv[0] == "build"]


def test_github_publishes_the_uploaded_folder_for_the_pages_address(tmp_path: Path) -> None:
    workflow = yaml.safe_load(GITHUB.read_text(encoding="utf-8"))
    [build] = published_builds(github_calls(tmp_path), "build")
    uploads = [
        s
        for s in workflow["jobs"]["build"]["steps"]
        if "upload-pages-artifact" in s.get("uses", "")
    ]
    assert build.out == uploads[0]["with"]["path"] == "public"
    assert build.base_url == GITHUB_PAGES_URL + "/"
    assert build.cache
    assert "refs/heads/main" in workflow["jobs"]["build"]["if"], "only main gets the cache key"


@pytest.mark.parametrize(
    "pages_url", ["https://groep.gitlab.io/project", "https://groep.gitlab.io/project/"]
)
def test_gitlab_builds_for_ci_pages_url(tmp_path: Path, pages_url: str) -> None:
    pipeline = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))
    job = pipeline["pages"]
    script = "\n".join([*pipeline["default"]["before_script"], *job["script"]])
    [call] = [
        c
        for c in run_script(script, "pages", tmp_path, {"CI_PAGES_URL": pages_url})
        if c.argv[0] == "build"
    ]
    build = parsed(call)
    assert build.base_url == "https://groep.gitlab.io/project/"
    assert build.out == "public" and job["artifacts"]["paths"] == ["public"]
    own = run_script(script, "eigen", tmp_path, {"WSDGEN_BASE_URL": "https://www.example.nl/"})
    assert (
        parsed(next(c for c in own if c.argv[0] == "build")).base_url == "https://www.example.nl/"
    )


def test_netlify_builds_for_the_address_of_each_deploy(tmp_path: Path) -> None:
    config = tomllib.loads(NETLIFY.read_text(encoding="utf-8"))
    calls = netlify_calls(tmp_path)
    by_context = {c.where: parsed(c) for c in calls if c.argv[0] == "build"}
    assert by_context["build"].base_url == CI_VARIABLES["URL"] + "/"
    assert by_context["deploy-preview"].base_url == CI_VARIABLES["DEPLOY_PRIME_URL"] + "/"
    assert by_context["branch-deploy"].base_url == CI_VARIABLES["DEPLOY_PRIME_URL"] + "/"
    assert {b.out for b in by_context.values()} == {config["build"]["publish"]}
    version = config["build"]["environment"]["PYTHON_VERSION"]
    required = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["requires-python"]
    assert required == ">=3.11" and tuple(map(int, version.split("."))) >= (3, 11)


def test_the_paths_a_recipe_names_exist() -> None:
    """Files the recipes hash, install from or cache on are in the repository."""
    text = GITHUB.read_text(encoding="utf-8") + GITLAB.read_text(encoding="utf-8")
    for name in ("pyproject.toml", "wsdgen", "content", "templates", "assets", "config.yaml"):
        if name in text:
            assert (REPO / name).exists(), name
    for pattern in re.findall(r"hashFiles\(([^)]*)\)", text):
        for glob in re.findall(r"'([^']+)'", pattern):
            top = glob.split("/")[0]
            assert top == "CODEOWNERS" or (REPO / top).exists(), glob
    assert "pip install ." in NETLIFY.read_text(encoding="utf-8")
    assert (REPO / "pyproject.toml").is_file()


def test_the_hosting_guide_names_every_recipe() -> None:
    guide = (REPO / "docs/hosting.md").read_text(encoding="utf-8")
    for recipe in sorted(RECIPES.iterdir()):
        assert f"ci/{recipe.name}" in guide, recipe.name
