"""The root of vitals' own exceptions: each says what went wrong and names the ids involved."""


class VitalsError(Exception):
    """A failure the user can act on; the CLI prints its message without a stack trace."""
