"""Start-up stays cheap: ``claims.nlp``'s plain records, and the web process's modules,
import without loading spaCy (``claims/nlp/__init__.py`` resolves its names lazily)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import claims.nlp
from claims.nlp import html, model, pipeline, records

ROOT = Path(__file__).resolve().parents[1]


def modules_after(code: str) -> set[str]:
    """The names in ``sys.modules`` after running ``code`` in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys; print(' '.join(sys.modules))"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return set(done.stdout.split())


@pytest.mark.parametrize(
    "code",
    [
        "import claims.nlp.records",
        "from claims.nlp import Extraction, InputRefused, Claim, Span",
        "from claims.nlp import extract_main_text",
    ],
)
def test_the_plain_parts_of_claims_nlp_import_without_spacy(code: str) -> None:
    loaded = modules_after(code)
    assert "claims.nlp" in loaded
    assert "spacy" not in loaded


def test_the_web_process_starts_without_spacy() -> None:
    loaded = modules_after(
        "import os, django\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'workbench.settings')\n"
        "django.setup()\n"
        "import claims.web.urls, claims.ingest.articles, claims.tasks"
    )
    assert "claims.ingest" in loaded
    assert "spacy" not in loaded


def test_extract_loads_spacy_when_it_is_first_used() -> None:
    loaded = modules_after("from claims.nlp import extract")
    assert {"spacy", "claims.nlp.pipeline"} <= loaded


def test_every_public_name_is_the_object_of_its_home_module() -> None:
    homes = {
        "PIPELINE_VERSION": pipeline,
        "Attribution": records,
        "Claim": records,
        "Dropped": records,
        "Entity": records,
        "Extraction": records,
        "InputRefused": records,
        "Span": records,
        "extract": pipeline,
        "extract_main_text": html,
        "get_nlp": model,
    }
    assert sorted(claims.nlp.__all__) == sorted(homes)
    for name, home in homes.items():
        assert getattr(claims.nlp, name) is getattr(home, name), name
    assert set(claims.nlp.__all__) <= set(dir(claims.nlp))
    with pytest.raises(AttributeError, match="no attribute 'extrakt'"):
        claims.nlp.extrakt  # noqa: B018


def test_manage_py_extract_loads_spacy_but_no_app_celery_or_html_parser(tmp_path: Path) -> None:
    """Its start-up is spaCy's own plus the settings (bench/pipeline.py, whole process)."""
    article = tmp_path / "article.txt"
    article.write_text("Unemployment fell to 5 percent in March, officials said.\n")
    loaded = modules_after(
        "import sys, io, contextlib\n"
        f"sys.argv = ['manage.py', 'extract', {str(article)!r}, '--format', 'json']\n"
        "import manage\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    manage.main()"
    )
    assert {"spacy", "claims.nlp.pipeline", "workbench.settings"} <= loaded
    unwanted = {"claims.models", "django.contrib.admin", "celery.app", "kombu", "trafilatura"}
    assert unwanted & loaded == set()
