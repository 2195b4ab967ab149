"""Sources: fetching safely, canonical URLs and publishers, captures and link rot."""
