"""Editors' HTML made safe and valid: the sanitizer and what it needs."""
