"""Contracts every Newsroom service imports: settings, events, topology, the article store."""
