"""Which pages show which entries: the one record that serve's rebuilds, their
replanning (incremental/replan.py) and the --cache digests (cache/inputs.py) read.

A page shows an entry in two ways, and each is recorded where it happens:

- its plan shows the entry (a card, a line in a list or a feed, a title in a link): the
  planner that reads the entry names it in the plan's ``deps`` (plan/pageplan.card_deps;
  ``ALL`` for a page that lists the whole site, such as the sitemap);
- the page shows the entry's body: templates reach a body only through ``body(entry)``,
  which notes the entry for the page being rendered (render/renderer.Bodies.asked).

``showing`` answers "which pages show entry X", ``showing_body`` "which pages show the
body of X". The record of a serve session changes only when a rebuild succeeds, as its
output does.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from wsdgen.plan.pageplan import ALL, EntryKey, PagePlan


@dataclass(slots=True)
class Dependencies:
    # By output file: the entries its plan shows, and those whose bodies it showed.
    shown: dict[str, frozenset[EntryKey]] = field(default_factory=dict)
    bodies: dict[str, frozenset[EntryKey]] = field(default_factory=dict)
    # Per entry, the files whose plans show it: made when first asked for.
    index: dict[EntryKey, set[str]] | None = None

    @classmethod
    def of_plans(
        cls, plans: Iterable[PagePlan], bodies: Mapping[str, frozenset[EntryKey]] | None = None
    ) -> Dependencies:
        """The record of these plans; ``bodies`` as recorded while their pages were rendered."""
        shown = {plan.output_file: plan.deps for plan in plans}
        kept = bodies or {}
        return cls(shown, {file: kept.get(file, frozenset()) for file in shown})

    def showing(self, key: EntryKey) -> set[str]:
        """The pages whose plans show ``key``, and those that show every entry."""
        if self.index is None:
            self.index = {}
            for file, deps in self.shown.items():
                for shown_key in deps:
                    self.index.setdefault(shown_key, set()).add(file)
        return self.index.get(key, set()) | self.index.get(ALL, set())

    def showing_body(self, keys: Collection[EntryKey]) -> list[str]:
        """The pages that showed the body of one of ``keys`` when they were last rendered."""
        return [file for file, shown in self.bodies.items() if not shown.isdisjoint(keys)]

    def shows_changed(self, file: str, changed: Collection[EntryKey]) -> bool:
        """Whether the page's plan shows one of the ``changed`` entries."""
        deps = self.shown.get(file, frozenset())
        return bool(changed) if ALL in deps else not deps.isdisjoint(changed)

    def planned(self, plan: PagePlan) -> None:
        """A page was planned again (serve's quick path): record what it shows now."""
        file = plan.output_file
        before = self.shown.get(file, frozenset())
        self.shown[file] = plan.deps
        if self.index is not None:
            for key in before - plan.deps:
                self.index.get(key, set()).discard(file)
            for key in plan.deps - before:
                self.index.setdefault(key, set()).add(file)

    def rendered(self, bodies: Mapping[str, frozenset[EntryKey]]) -> None:
        """Pages were rendered: record whose bodies each one showed."""
        self.bodies.update(bodies)
