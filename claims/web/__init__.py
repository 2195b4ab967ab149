"""The editors' web UI: URLs, access checks, forms and one module per page family."""
