"""Importing and exporting indicators and targets: filled in below."""
