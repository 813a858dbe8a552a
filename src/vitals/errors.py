"""The root of vitals' own exceptions: each says what went wrong and names the ids involved.

Every error the CLI reports derives from ``VitalsError``; the request errors below are shared by the read
layer (``vitals.metrics``), the API (which answers them with HTTP 403, 404, 400 and 409) and the dashboard."""


class VitalsError(Exception):
    """A failure the user can act on; the CLI prints its message without a stack trace."""


class Forbidden(VitalsError):
    """The token is valid but the request is outside its scope (HTTP 403)."""


class NotFound(VitalsError):
    """What was asked for does not exist (HTTP 404)."""


class BadRequest(VitalsError):
    """The request cannot be answered as asked (HTTP 400); the message says which parameter."""


class Conflict(VitalsError):
    """The request is valid but what it acts on is not in a state that allows it (HTTP 409)."""
