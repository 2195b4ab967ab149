"""Text handling with no Django: cleaning, anchoring, the quote check."""
