"""The JSON API: token auth, cursor paging, exports."""
