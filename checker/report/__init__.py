"""Findings, the report document, the gate, and one renderer per output format."""
