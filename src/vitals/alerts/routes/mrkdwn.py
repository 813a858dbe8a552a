"""Text for Slack's ``mrkdwn``: what came from data is shown as text, never parsed as a mention or a link.

Slack reads ``<...>`` as a control sequence (``<!channel>``, ``<@U123>``, ``<https://evil|a safe label>``) and
decodes ``&amp;``, ``&lt;``, ``&gt;``. Its formatting guide asks senders to escape exactly those three characters in
text they did not write; org names, alert summaries, rule descriptions and reasons all go through ``escape``.
"""

from __future__ import annotations

from urllib.parse import quote

_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def escape(text: object) -> str:
    """``text`` with ``&``, ``<`` and ``>`` replaced by Slack's entities (so it renders literally)."""
    return str(text).translate(_ESCAPES)


def link(url: str, label: str) -> str:
    """A ``<url|label>`` link whose URL cannot close the link early and whose label is plain text."""
    safe_url = quote(url, safe=":/?#[]@!$&'()*+,;=%~")
    return f"<{safe_url.replace('&', '&amp;')}|{escape(label)}>"
