"""The confirmation rule (pure), the locked service that applies it, readiness."""
