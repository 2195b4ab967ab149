"""Hooks for the schemathesis run of ``tests/api/test_schemathesis.py``
(``SCHEMATHESIS_HOOKS=tests.api.schemathesis_hooks``).

A ``cursor`` (``format: cursor`` in the OpenAPI document) is a value the API signs: no
generator can make one, and any other string is rightly a 400. The test signs a few real
ones (``SCHEMATHESIS_CURSORS``, a JSON list) and schemathesis picks among them.
"""

from __future__ import annotations

import json
import os

import schemathesis
from hypothesis import strategies as st

schemathesis.openapi.format(
    "cursor", st.sampled_from(json.loads(os.environ.get("SCHEMATHESIS_CURSORS", '["x"]')))
)
