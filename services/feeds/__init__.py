"""Consumes article and view events: RSS, Atom and the "most read" rankings."""
