"""Reading an uploaded PDF or HTML file on a budget, in a subprocess.

A hostile file (a PDF whose pages all draw one huge content stream, a deeply nested
page) can cost minutes of CPU and hundreds of MB. ``read_in_subprocess`` runs the reader
(``python -m claims.sources.reader``) with ``resource`` limits on CPU seconds and
address space, and a wall-clock timeout, so such a file kills only that process; it
raises ``ValueError`` with the reason ("the PDF took more than 20 s to read").

Before a PDF is read, the child refuses it when it has more pages than ``max_pages``, or
when its pages' content streams decompress to more than ``max_stream_bytes`` in all (a
stream drawn by several pages counts once per page: it is read once per page). The text
is cut at ``max_chars``, and the note says so.

No Django here: the child imports only the extractors.
"""

from __future__ import annotations

import io
import json
import logging
import os
import resource
import signal
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from claims.sources.fetching import Extracted

log = logging.getLogger(__name__)

MEGABYTE = 1024 * 1024
EXIT_MEMORY = 3  # the child ran out of its address space
PROJECT_ROOT = Path(__file__).resolve().parents[2]
LABELS = {"pdf": "the PDF", "html": "the HTML file"}


@dataclass(frozen=True)
class Limits:
    cpu_seconds: int = 20
    memory_mb: int = 512
    wall_seconds: int = 40
    max_pages: int = 500
    max_stream_bytes: int = 50 * MEGABYTE
    max_chars: int = 2_000_000


def cut(text: str, max_chars: int) -> tuple[str, str]:
    """``text`` cut at ``max_chars``, and a note saying so ("" when it fits)."""
    if len(text) <= max_chars:
        return text, ""
    return text[:max_chars], f"cut at {max_chars:,} characters"


# --- the parent: run the child and tell what became of it -------------------------------


def read_in_subprocess(kind: str, data: bytes, limits: Limits) -> Extracted:
    """Text, title and note of a ``kind`` ("pdf" or "html") file, read by a child process
    under ``limits``; ``ValueError`` with the reason when it is refused or stopped."""
    label = LABELS[kind]
    command = [sys.executable, "-m", "claims.sources.reader", kind, json.dumps(asdict(limits))]
    try:
        done = subprocess.run(
            command, input=data, capture_output=True, timeout=limits.wall_seconds,
            cwd=PROJECT_ROOT, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        raise ValueError(f"{label} took more than {limits.wall_seconds} s to read") from None
    if done.returncode == 0:
        result = json.loads(done.stdout)
        if "refused" in result:
            raise ValueError(result["refused"])
        return Extracted(text=result["text"], title=result["title"], note=result["note"])
    raise ValueError(_stopped_reason(label, done.returncode, limits, done.stderr))


def _stopped_reason(label: str, code: int, limits: Limits, stderr: bytes) -> str:
    if code in (-signal.SIGXCPU, -signal.SIGKILL):
        return f"{label} took more than {limits.cpu_seconds} s to read"
    if code == EXIT_MEMORY:
        return f"{label} needs more than {limits.memory_mb} MB to read"
    log.warning("the file reader stopped with code %s: %s", code, stderr[-2000:])
    return f"{label} could not be read (the reader stopped with code {code})"


# --- the child: limits first, then refuse or read ----------------------------------------


def _limit_self(limits: Limits) -> None:
    """CPU seconds from now (imports already cost some) and the address space."""
    used = resource.getrusage(resource.RUSAGE_SELF)
    spent = int(used.ru_utime + used.ru_stime) + 1
    cpu = spent + limits.cpu_seconds
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 2))
    memory = limits.memory_mb * MEGABYTE
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))


def pdf_problem(data: bytes, limits: Limits) -> str:
    """Why a PDF is refused before it is read (too many pages, too much content), or ""."""
    import pypdf
    from pypdf.errors import LimitReachedError

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        count = len(reader.pages)
    except MemoryError:
        raise
    except Exception:  # damaged: the extractor says so in its note
        return ""
    if count > limits.max_pages:
        return f"the PDF has {count:,} pages, more than the {limits.max_pages:,} that are read"
    sizes: dict[Any, int] = {}
    total = 0
    for page in reader.pages:
        for key, stream in _content_streams(page):
            if key not in sizes:
                with pypdf.apply_configuration(zlib_maximum_output_length=limits.max_stream_bytes):
                    try:
                        sizes[key] = len(stream.get_data())
                    except LimitReachedError:
                        sizes[key] = limits.max_stream_bytes + 1
                    except MemoryError:
                        raise
                    except Exception:  # a damaged stream draws nothing
                        sizes[key] = 0
            total += sizes[key]
            if total > limits.max_stream_bytes:
                mb = limits.max_stream_bytes / MEGABYTE
                return f"the PDF's pages decompress to more than {mb:g} MB of content"
    return ""


def _content_streams(page: Any) -> list[tuple[Any, Any]]:
    """(key, stream) of each content stream a page draws, keyed by object number."""
    from pypdf.generic import ArrayObject, IndirectObject

    contents = page.raw_get("/Contents") if "/Contents" in page else None
    items = contents.get_object() if isinstance(contents, IndirectObject) else contents
    if not isinstance(items, ArrayObject):
        items = [contents] if contents is not None else []
    streams = []
    for item in items:
        key = (item.idnum, item.generation) if isinstance(item, IndirectObject) else id(item)
        stream = item.get_object()
        if hasattr(stream, "get_data"):
            streams.append((key, stream))
    return streams


def read(kind: str, data: bytes, limits: Limits) -> dict[str, str]:
    """The child's answer: ``refused`` with a reason, or ``text``, ``title`` and ``note``."""
    import pypdf

    from claims.sources.fetching import extract_html, extract_pdf

    if kind == "pdf":
        problem = pdf_problem(data, limits)
        if problem:
            return {"refused": problem}
        with pypdf.apply_configuration(zlib_maximum_output_length=limits.max_stream_bytes):
            extracted = extract_pdf(data)
    else:
        extracted = extract_html(data, None, "")
    # The extractors' note only says why there is no text; with text, a note is the cut.
    text, note = cut(extracted.text, limits.max_chars)
    return {"text": text, "title": extracted.title, "note": note or extracted.note}


def main(argv: list[str]) -> None:
    kind, limits = argv[1], Limits(**json.loads(argv[2]))
    logging.disable(logging.WARNING)  # pypdf warns on every damaged object
    # Imported before the limits: the libraries are not the file's cost.
    import pypdf  # noqa: F401
    import trafilatura  # noqa: F401

    data = sys.stdin.buffer.read()
    _limit_self(limits)
    try:
        answer = json.dumps(read(kind, data, limits))
    except MemoryError:
        os._exit(EXIT_MEMORY)
    sys.stdout.write(answer)


if __name__ == "__main__":
    main(sys.argv)
