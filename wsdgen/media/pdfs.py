"""What a published PDF is: pages, size, title, language, tags and text, read with pypdf.

A PDF comes from an editor's upload, so it may be damaged, encrypted or hostile. Nothing
here raises to the caller: :func:`read_pdf` returns either :class:`PdfFacts` or a Dutch
reason, and the other functions turn those into link labels and diagnostics.
"""

from __future__ import annotations

import io
import logging
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from babel.numbers import format_decimal

# pypdf is imported where a PDF is read: a build without new or changed PDFs (a warm
# build, which takes their facts from the cache) does not load it.
if TYPE_CHECKING:
    from pypdf import PdfReader

from wsdgen.diagnostics import Diagnostic, error, warning

# Enough for a search index entry of a long report; more only costs memory.
MAX_TEXT_CHARS = 200_000

# The PDF standard allows junk before the header; readers look in the first kilobyte.
HEADER_WINDOW = 1024

# Wall time for reading one PDF, whatever pypdf is doing: the text deadline is checked
# only between PDF operators, and one operator (a string of 75 MB) or the work before
# the first one (fonts, the page tree) can take minutes. Only where a timer signal can
# be used (the main thread, as in a build); elsewhere the text deadline alone applies.
MAX_SECONDS = 30.0

LAW = (
    "Overheidssites moeten toegankelijke PDF's publiceren "
    "(Besluit digitale toegankelijkheid overheid)."
)


@dataclass(frozen=True, slots=True)
class PdfFacts:
    """What a link to the PDF and the accessibility check need to know about it."""

    pages: int
    size: int  # bytes
    title: str | None  # document info /Title or XMP dc:title, stripped; None if empty
    language: str | None  # catalog /Lang, stripped; None if empty
    tagged: bool  # catalog /MarkInfo /Marked true and a /StructTreeRoot present
    text: str  # extracted text, whitespace collapsed, at most MAX_TEXT_CHARS


class _OutOfTime(BaseException):
    """Raised from inside pypdf when a time budget is spent. Not an Exception, so that
    no ``except Exception`` (here or in pypdf) takes it for damage and goes on."""


def read_pdf(
    data: bytes,
    *,
    max_pages: int = 500,
    seconds: float = 10.0,
    max_seconds: float | None = None,
) -> PdfFacts | str:
    """The facts of the PDF in ``data``, or a Dutch reason why it cannot be read.

    Reasons: not a PDF, damaged, protected with a password, no pages, more than
    ``max_pages`` pages, or still not read after ``max_seconds`` (default
    ``MAX_SECONDS``). Text extraction stops after ``seconds`` of wall time (the text
    found so far is kept); the time is checked between PDF operators, so one huge
    operator or content stream can overrun it, up to ``max_seconds``. Never raises.
    """
    if b"%PDF-" not in data[:HEADER_WINDOW]:
        return "het bestand is geen PDF (het begint niet met %PDF-)"
    limit = MAX_SECONDS if max_seconds is None else max_seconds
    try:
        with _time_limit(limit):
            return _read_pdf(data, max_pages, time.monotonic() + seconds)
    except _OutOfTime:
        shown = f"{limit:g}".replace(".", ",")
        unit = "seconde" if limit == 1 else "seconden"
        return (
            f"het lezen duurde langer dan {shown} {unit} (een heel groot of vreemd "
            "opgebouwd bestand); exporteer het opnieuw, bijvoorbeeld als PDF/A"
        )


def _read_pdf(data: bytes, max_pages: int, deadline: float) -> PdfFacts | str:
    from pypdf import PdfReader

    with _quiet_pypdf():
        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
            problem = _unlock(reader)
            if problem:
                return problem
            pages = len(reader.pages)
        except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on a damaged file
            return _damaged(exc)
        if pages == 0:
            return "het bestand bevat geen pagina's"
        if pages > max_pages:
            return f"het bestand heeft {pages} pagina's; meer dan {max_pages} wordt niet gelezen"
        return PdfFacts(
            pages=pages,
            size=len(data),
            title=_title(reader),
            language=_language(reader),
            tagged=_tagged(reader),
            text=_text(reader, pages, deadline),
        )


def _out_of_time(*_args: object) -> None:
    raise _OutOfTime


def _can_use_alarm() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Raise _OutOfTime in the code inside once ``seconds`` of wall time have passed
    (a timer signal, so also inside pypdf's loops), where such a timer can be used."""
    if not _can_use_alarm():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _out_of_time)
    try:
        signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001))
        yield
    finally:
        try:
            signal.setitimer(signal.ITIMER_REAL, 0)
        finally:
            signal.signal(signal.SIGALRM, previous)


def _unlock(reader: PdfReader) -> str | None:
    """Open an encrypted PDF with the empty password, or say why that is not possible.

    Many PDFs are encrypted with only an owner password (against editing or printing);
    anyone can open those, so they are fine to publish. A user password is not.
    """
    from pypdf import PasswordType
    from pypdf.errors import DependencyError

    if not reader.is_encrypted:
        return None
    try:
        if reader.decrypt("") is PasswordType.NOT_DECRYPTED:
            return "het bestand is beveiligd met een wachtwoord; publiceer een versie zonder"
    except DependencyError:
        return "het bestand is versleuteld op een manier die hier niet gelezen kan worden"
    return None


def _damaged(exc: BaseException) -> str:
    from pypdf.errors import FileNotDecryptedError

    if isinstance(exc, FileNotDecryptedError):
        return "het bestand is beveiligd met een wachtwoord; publiceer een versie zonder"
    if isinstance(exc, RecursionError):
        return "het bestand is beschadigd (te diep geneste onderdelen)"
    return "het bestand is beschadigd of onvolledig; exporteer of download het opnieuw"


_QUIET_LOCK = threading.Lock()
_quiet_depth = 0
_propagated = True
_PYPDF_LOG = logging.getLogger("pypdf")
_SWALLOW = logging.NullHandler()


@contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """Keep pypdf's own log lines (about repaired damage) out of the build output.

    Problems reach the editor as diagnostics; pypdf's English warnings would only be noise.
    pypdf logs on child loggers (``pypdf._reader``), which ignore the parent's filters, so
    the parent stops propagating and gets a handler that drops everything (without any
    handler, logging's last resort would still print). Counted, for readers in threads.
    """
    global _quiet_depth, _propagated
    with _QUIET_LOCK:
        if _quiet_depth == 0:
            _propagated = _PYPDF_LOG.propagate
            _PYPDF_LOG.addHandler(_SWALLOW)
            _PYPDF_LOG.propagate = False
        _quiet_depth += 1
    try:
        yield
    finally:
        with _QUIET_LOCK:
            _quiet_depth -= 1
            if _quiet_depth == 0:
                _PYPDF_LOG.removeHandler(_SWALLOW)
                _PYPDF_LOG.propagate = _propagated


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def _resolve(value: Any) -> Any:
    """The object itself when ``value`` is an indirect reference to it."""
    return value.get_object() if value is not None else None


def _title(reader: PdfReader) -> str | None:
    try:
        info = reader.metadata
        title = _clean(info.title) if info is not None else None
    except Exception:  # noqa: BLE001 - a damaged info dictionary just means no title
        title = None
    if title:
        return title
    try:
        xmp = reader.xmp_metadata
        titles: dict[str, Any] = (xmp.dc_title or {}) if xmp is not None else {}
    except Exception:  # noqa: BLE001 - nor does damaged XMP
        return None
    for key in ("x-default", *titles):
        title = _clean(titles.get(key))
        if title:
            return title
    return None


def _language(reader: PdfReader) -> str | None:
    try:
        return _clean(_resolve(reader.root_object.get("/Lang")))
    except Exception:  # noqa: BLE001 - a damaged catalog just means no language
        return None


def _tagged(reader: PdfReader) -> bool:
    from pypdf.generic import BooleanObject, DictionaryObject

    try:
        root = reader.root_object
        mark_info = _resolve(root.get("/MarkInfo"))
        marked = (
            _resolve(mark_info.get("/Marked")) if isinstance(mark_info, DictionaryObject) else None
        )
        # BooleanObject has no __bool__: bool(BooleanObject(False)) is True, so compare.
        is_marked = isinstance(marked, BooleanObject) and marked.value is True
        return is_marked and isinstance(_resolve(root.get("/StructTreeRoot")), DictionaryObject)
    except Exception:  # noqa: BLE001 - a damaged catalog is not a tagged one
        return False


def _text(reader: PdfReader, pages: int, deadline: float) -> str:
    """Text of the pages until the deadline or MAX_TEXT_CHARS; a page that fails is skipped."""

    def check_time(*_args: object) -> None:
        if time.monotonic() >= deadline:
            raise _OutOfTime

    parts: list[str] = []
    length = 0
    try:
        for number in range(pages):
            if length >= MAX_TEXT_CHARS or time.monotonic() >= deadline:
                break
            try:
                raw = reader.pages[number].extract_text(visitor_operand_before=check_time)
            except Exception:  # noqa: BLE001 - one unreadable page must not lose the others
                continue
            words = " ".join(raw.split())
            if words:
                parts.append(words)
                length += len(words) + 1
    except _OutOfTime:
        pass  # the text deadline, or the whole read's: keep what was found
    return " ".join(parts)[:MAX_TEXT_CHARS]


def link_label(facts: PdfFacts) -> str:
    """Dutch label for a link to the PDF: "PDF, 24 pagina's, 1,2 MB"."""
    pages = "1 pagina" if facts.pages == 1 else f"{facts.pages} pagina's"
    return f"PDF, {pages}, {_size(facts.size)}"


def _size(size: int) -> str:
    """Size as people read it: whole kB below 1 MB, else MB with one decimal (1000-based)."""
    kilobytes = max(round(size / 1000), 1)
    if kilobytes < 1000:  # so 999 600 bytes is "1,0 MB", not "1000 kB"
        return f"{kilobytes} kB"
    megabytes = format_decimal(size / 1_000_000, format="#,##0.0", locale="nl_NL")
    return f"{megabytes} MB"


def accessibility_warnings(
    facts: PdfFacts, shown_path: str, line: int, field: str = "url"
) -> list[Diagnostic]:
    """Warnings for what makes the PDF hard to use with a screen reader, with how to fix it."""
    problems: list[str] = []
    if not facts.tagged:
        problems.append(
            f"{shown_path} is geen getagde PDF: schermlezers kunnen de opbouw niet volgen. "
            "Exporteer met 'Tags' of 'Toegankelijke PDF' aan (Word: Opslaan als > PDF > "
            "Opties > 'Tags voor documentstructuur voor toegankelijkheid'). " + LAW
        )
    if facts.title is None:
        problems.append(
            f"{shown_path} heeft geen documenttitel: schermlezers en browsers tonen dan de "
            "bestandsnaam. Vul de titel in (Word: Bestand > Info > Eigenschappen > Titel) en "
            "exporteer opnieuw. " + LAW
        )
    if facts.language is None:
        problems.append(
            f"{shown_path} heeft geen documenttaal: schermlezers lezen de tekst dan mogelijk "
            "met de verkeerde uitspraak voor. Stel de taal in (Word: Bestand > Opties > Taal, "
            "of Controleren > Taal) en exporteer opnieuw. " + LAW
        )
    return [warning(shown_path, line, message, field) for message in problems]


def pdf_problem(reason: str, shown_path: str, line: int, field: str = "url") -> Diagnostic:
    """An error for a PDF that :func:`read_pdf` could not read."""
    return error(shown_path, line, f"{shown_path} is geen leesbare PDF: {reason}", field)
