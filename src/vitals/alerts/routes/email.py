"""Email through SMTP (stdlib ``smtplib``): an HTML part and a plain-text part."""

from __future__ import annotations

import html
import smtplib
import ssl
from email.message import EmailMessage
from typing import Any

from vitals.alerts.delivery import Attempt
from vitals.alerts.settings import EmailRoute


def email_message(message: dict[str, Any], sender: str, to: list[str]) -> EmailMessage:
    """The email for ``message``: subject is the summary; HTML body with a table of the facts and a link."""
    mail = EmailMessage()
    mail["Subject"] = message["summary"]
    mail["From"] = sender
    mail["To"] = ", ".join(to)
    mail["X-Vitals-Dedup-Key"] = message["dedup_key"]
    rows = [
        ("Status", message["status"]),
        ("Severity", message["severity"]),
        ("Metric", message["metric_label"]),
        ("Value", message["value_text"]),
        ("Rule", message["condition"]),
        ("Scope", message["org_id"] or "all orgs"),
        ("Why", message["reason"]),
        ("Since", message["started_at"] or ""),
    ]
    text = "\n".join(f"{k}: {v}" for k, v in rows) + f"\n\n{message['description']}\n{message['url']}\n"
    cells = "".join(
        f"<tr><th align='left' style='padding:2px 12px 2px 0'>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>"
        for k, v in rows
    )
    body = (
        "<!doctype html><html><body style='font-family:sans-serif'>"
        f"<h2>{html.escape(message['summary'])}</h2><p>{html.escape(message['description'])}</p>"
        f"<table>{cells}</table>"
        f"<p><a href='{html.escape(message['url'], quote=True)}'>Open in vitals</a></p></body></html>"
    )
    mail.set_content(text)
    mail.add_alternative(body, subtype="html")
    return mail


class SmtpEmail:
    """Send through the configured SMTP server; 4xx replies and connection failures are transient."""

    def __init__(self, name: str, config: EmailRoute, timeout: float) -> None:
        self.name = name
        self.config = config
        self.timeout = timeout

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        if c.security == "tls":
            return smtplib.SMTP_SSL(c.host, c.port, timeout=self.timeout, context=ssl.create_default_context())
        smtp = smtplib.SMTP(c.host, c.port, timeout=self.timeout)
        if c.security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        return smtp

    def send(self, message: dict[str, Any]) -> Attempt:
        return self.send_mail(email_message(message, self.config.sender, self.config.to))

    def send_mail(self, mail: EmailMessage) -> Attempt:
        """Send a ready email (From/To already set) in one SMTP session."""
        c = self.config
        try:
            with self._connect() as smtp:
                if c.username:
                    smtp.login(c.username, c.password.get_secret_value())
                smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            transient = all(400 <= code < 500 for code in codes)
            return Attempt(ok=False, transient=transient, status_code=codes[0], error=f"recipients refused: {codes}")
        except smtplib.SMTPResponseException as exc:
            return Attempt(
                ok=False, transient=400 <= exc.smtp_code < 500, status_code=exc.smtp_code, error=str(exc.smtp_error)
            )
        except (smtplib.SMTPException, OSError) as exc:
            return Attempt(ok=False, transient=True, error=f"{type(exc).__name__}: {exc}")
        return Attempt(ok=True, status_code=250)
