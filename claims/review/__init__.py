"""The review workflow: evidence, claim edits (split, merge, create), history."""
