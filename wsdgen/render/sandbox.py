"""The template sandbox: every template, the theme's and the site's, is data.

A template is a file any werkplaats can change in a pull request, so it must not be
able to run Python, read files or see the environment of the CI job. Jinja's
``ImmutableSandboxedEnvironment`` refuses names starting with ``_`` (so no
``__globals__``, ``__class__`` or ``__subclasses__``), the internals of functions and
frames, and changes to lists and dicts. That alone still lets a template call any
public method of any object it can reach (``config.site_dir.read_text()``), so this
module adds an allow-list on top, as a model rather than a list of attacks:

- a template reads attributes only of **data**: text, numbers, dates, lists, tuples,
  dicts, sets, Markup, wsdgen's own records and plans (``TEMPLATE_TYPES``), and
  Jinja's own loop, macro and namespace objects; the value it gets back must be one of
  those too (a ``Path`` or a module is refused even as a field of a record);
- a template calls only wsdgen's own helpers (the globals and filters made in
  render/renderer.py), Jinja's macros and built-in helpers, and methods of data;
- ``*`` and ``**`` are bounded, so ``'x' * 10**10`` cannot exhaust memory;
- of an entry, ``body``, ``source`` and ``_`` names are refused: a template shows a body
  through ``body(entry)``, so `serve` knows which pages show it.

Anything else stops the page with a Dutch error naming the template file and line
(render/renderer.py turns it into a Diagnostic); nothing of the forbidden expression runs.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import operator
import types
import weakref
from collections.abc import Callable
from typing import Any

from jinja2.environment import TemplateModule
from jinja2.exceptions import SecurityError
from jinja2.runtime import BlockReference, LoopContext, Macro, TemplateReference, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment, safe_range
from jinja2.utils import Cycler, Joiner, Namespace, generate_lorem_ipsum
from markupsafe import Markup

from wsdgen import records
from wsdgen.check import graph
from wsdgen.load import config
from wsdgen.media import prepare as media
from wsdgen.plan import nlmap, overview, views
from wsdgen.plan import pageplan as plan

# Plain data: what a template may read attributes of, call methods of, and get back.
PLAIN_TYPES: frozenset[type] = frozenset(
    {
        type(None),
        bool,
        int,
        float,
        decimal.Decimal,
        str,
        Markup,
        dt.date,
        dt.datetime,
        dt.time,
        dt.timedelta,
        tuple,
        list,
        dict,
        set,
        frozenset,
        range,
        types.SimpleNamespace,
    }
)

# Jinja's own objects that templates use: loop, macros, caller(), self, super(),
# namespace(), cycler(), joiner(), imported template modules, undefined values.
JINJA_TYPES: frozenset[type] = frozenset(
    {
        LoopContext,
        Macro,
        BlockReference,
        TemplateReference,
        TemplateModule,
        Namespace,
        Cycler,
        Joiner,
    }
)

# wsdgen's records and what the planners hand to templates. A new type that should
# reach templates is added here (a test renders every built-in template).
TEMPLATE_TYPES: frozenset[type] = frozenset(
    {
        records.Entry,
        records.Werkplaats,
        records.Thema,
        records.Regio,
        records.Kenniscafe,
        records.Publicatie,
        records.Nieuws,
        records.Pagina,
        records.Reference,
        config.SiteConfig,
        config.MenuItem,
        config.BeheerConfig,
        graph.Agenda,
        graph.Related,
        media.Picture,
        media.Report,
        views.Detail,
        plan.Crumb,
        views.Section,
        views.YearGroup,
        views.Neighbour,
        views.YearBar,
        views.YearChart,
        nlmap.MapLine,
        nlmap.MapLink,
        nlmap.MapTile,
        nlmap.ProvinceMap,
        overview.YearCount,
        overview.HeatCell,
        overview.HeatStrip,
        overview.Activity,
        overview.ThemeReach,
        overview.Overview,
    }
)

DATA_TYPES: frozenset[type] = PLAIN_TYPES | JINJA_TYPES | TEMPLATE_TYPES

# Callables a template may call besides wsdgen's helpers, macros and methods of data.
JINJA_CALLABLES: frozenset[object] = frozenset(
    {safe_range, generate_lorem_ipsum, dict, Cycler, Joiner, Namespace}
)

# The sandbox's own wrappers of str.format (they format through the sandbox).
SANDBOXED_FORMATS: weakref.WeakSet[Callable[..., str]] = weakref.WeakSet()

# Of an entry, a template may not read its Markdown or its file (see module docstring).
HIDDEN = frozenset({"body", "source"})
BODY_ATTRIBUTE_MESSAGE = (
    "een sjabloon toont de tekst van een item met body(entry); entry.body, entry.source "
    "en namen die met _ beginnen zijn niet beschikbaar (ze geven de Markdown zonder "
    "omzetting of het bronbestand, en wsdgen serve ziet dan niet welke pagina's de tekst "
    "tonen)"
)

# Bounds on the operators that can make huge values from small ones.
MAX_REPEAT = 1_000_000  # items or characters made by '*'
MAX_POWER_BITS = 4096

BOUNDED_MESSAGE = (
    "het sjabloon maakt een te grote waarde met '*' of '**' (meer dan "
    f"{MAX_REPEAT:_} tekens of elementen, of een getal van meer dan {MAX_POWER_BITS} "
    "bits)"
).replace("_", ".")


def type_name(obj: object) -> str:
    return type(obj).__name__


def refused_attribute_message(obj: object, attribute: str) -> str:
    """Dutch: what the template tried to read, and what templates may use."""
    if attribute.startswith("_"):
        return (
            f"het sjabloon probeert '{attribute}' te lezen; namen die met _ beginnen zijn "
            "Python-onderdelen en in sjablonen niet toegestaan"
        )
    return (
        f"het sjabloon probeert '{attribute}' van een {type_name(obj)} te lezen; een "
        "sjabloon mag alleen de gegevens van de pagina gebruiken (teksten, getallen, "
        "datums, lijsten en de items van de site), geen bestanden, modules of andere "
        "Python-onderdelen"
    )


def refused_call_message(obj: object) -> str:
    name = getattr(obj, "__name__", None) or type_name(obj)
    return (
        f"het sjabloon probeert '{name}' aan te roepen; een sjabloon mag alleen de "
        "hulpfuncties van wsdgen (zoals body, picture, url en fragment), macro's en "
        "methoden van teksten en lijsten aanroepen"
    )


def is_data(value: object) -> bool:
    return type(value) in DATA_TYPES or isinstance(value, (Undefined, enum.Enum))


def is_wsdgen_helper(obj: object) -> bool:
    """A function of wsdgen's own (render/renderer.py's globals and filters), not a method."""
    module = getattr(obj, "__module__", None) or ""
    return isinstance(obj, types.FunctionType) and module.startswith("wsdgen.")


def is_method_of_data(obj: object) -> bool:
    """A bound method (Python or built-in) of a data object: ``'x'.upper``, ``d.items``."""
    if not isinstance(obj, (types.MethodType, types.BuiltinMethodType)):
        return False
    owner = getattr(obj, "__self__", None)
    return owner is not None and not isinstance(owner, types.ModuleType) and is_data(owner)


class SandboxEnvironment(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with an allow-list of data types and callables."""

    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.safe_names: dict[tuple[type, str], bool] = {}
        self.binop_table["*"] = bounded_multiply
        self.binop_table["**"] = bounded_power

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if not self.is_safe_name(type(obj), obj, attr, value):
            return False
        if type(value) in DATA_TYPES:
            return True
        return is_data(value) or is_method_of_data(value) or is_wsdgen_helper(value)

    def is_safe_name(self, kind: type, obj: Any, attr: str, value: Any) -> bool:
        """Jinja's checks of the name (no ``_``, no internals of functions, frames or
        code, no methods that change a list, dict or set) on a type on the allow-list.
        They depend on the type and the name only, so each pair is decided once: the
        sandbox checks every attribute a template reads."""
        key = (kind, attr)
        known = self.safe_names.get(key)
        if known is None:
            known = kind in DATA_TYPES and super().is_safe_attribute(obj, attr, value)
            self.safe_names[key] = known
        return known

    def is_safe_callable(self, obj: Any) -> bool:
        if not super().is_safe_callable(obj):
            return False
        if type(obj) in JINJA_TYPES:
            return type(obj) in (Macro, LoopContext, BlockReference)
        try:
            if obj in JINJA_CALLABLES:
                return True
        except TypeError:  # unhashable
            return False
        return is_wsdgen_helper(obj) or is_method_of_data(obj) or obj in SANDBOXED_FORMATS

    # Jinja's two lookups with the entry check in front (not through super(): these
    # run for every attribute a template reads).
    def getattr(self, obj: Any, attribute: str) -> Any:
        """Jinja's sandboxed lookup (attribute first, then item), with the entry check in
        front and a quick path for data, written out because it runs for every
        attribute a template reads."""
        if isinstance(obj, records.Entry) and (attribute in HIDDEN or attribute[:1] == "_"):
            raise SecurityError(BODY_ATTRIBUTE_MESSAGE)
        try:
            value = getattr(obj, attribute)
        except AttributeError:
            try:
                return obj[attribute]
            except (TypeError, LookupError):
                return self.undefined(obj=obj, name=attribute)
        if type(value) not in DATA_TYPES:
            wrapped = self.wrap_str_format(value)
            if wrapped is not None:
                return wrapped
        if self.is_safe_attribute(obj, attribute, value):
            return value
        return self.unsafe_undefined(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        name = argument if isinstance(argument, str) else ""
        if isinstance(obj, records.Entry) and (name in HIDDEN or name[:1] == "_"):
            raise SecurityError(BODY_ATTRIBUTE_MESSAGE)
        return super().getitem(obj, argument)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """Jinja's sandboxed ``str.format``, marked so that is_safe_callable knows it."""
        wrapper = super().wrap_str_format(value)
        if wrapper is not None:
            SANDBOXED_FORMATS.add(wrapper)
        return wrapper

    def unsafe_undefined(self, obj: Any, attribute: str) -> Undefined:
        return self.undefined(
            refused_attribute_message(obj, attribute),
            name=attribute,
            obj=obj,
            exc=SecurityError,
        )

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        if not __self.is_safe_callable(__obj):
            raise SecurityError(refused_call_message(__obj))
        return __context.call(__obj, *args, **kwargs)


def bounded_multiply(left: Any, right: Any) -> Any:
    sized = [value for value in (left, right) if isinstance(value, (str, list, tuple))]
    if sized:
        other = right if sized[0] is left else left
        if isinstance(other, int) and len(sized[0]) * max(other, 0) > MAX_REPEAT:
            raise SecurityError(BOUNDED_MESSAGE)
    return operator.mul(left, right)


def bounded_power(left: Any, right: Any) -> Any:
    ints = isinstance(left, int) and isinstance(right, int)
    if ints and right > 0 and abs(left) > 1 and left.bit_length() * right > MAX_POWER_BITS:
        raise SecurityError(BOUNDED_MESSAGE)
    return operator.pow(left, right)
