"""Consumes article events and writes the static site."""
