"""Helpers the tests share: real Redis processes and the real services as subprocesses."""
