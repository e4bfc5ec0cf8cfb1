"""Formatters: pure functions from reports to text. They never recompute a finding."""
