"""The live service: ``vitals serve``, one process that owns the warehouse. See docs/server.md.

Kept import-light: ``vitals.config`` imports ``vitals.server.settings``."""
