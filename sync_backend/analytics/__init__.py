"""What vouchers brought each business: funnel, ROI and A/B figures (issue 14)."""
