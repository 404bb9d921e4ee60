"""The dashboards: filled in below."""
