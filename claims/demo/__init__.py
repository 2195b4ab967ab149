"""The demo desk: a few weeks of a small verification desk, built by ``setup_demo``
through the application's own write paths (``history``) from the stories and source
snapshots in ``stories``."""
