"""The HTTP API: token auth with roles, one scoped query layer, routers per resource, the audit log."""
