"""Use cases that touch the database. They add and flush, never commit: the caller commits."""
