"""Chasing late returns: filled in below."""
