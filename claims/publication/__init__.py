"""What leaves the workbench: ClaimReview, CSV and JSON, public verdict pages."""
