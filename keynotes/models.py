"""Keynotes with live Q&A: see the keynotes issue."""
