"""Claim memory: matching claims across articles and fact-check archives."""
