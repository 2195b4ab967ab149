"""Newsroom integration: webhooks and API tokens."""
