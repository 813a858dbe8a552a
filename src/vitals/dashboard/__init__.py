"""The web dashboard: server-rendered pages over the API's scoped query layer, behind a token login."""
