"""Helpers the tests share, imported as ``from support import ...`` (never from conftest)."""
