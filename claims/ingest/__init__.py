"""Articles in: pasted, uploaded, fetched, from a CMS or a feed; the extraction job."""
