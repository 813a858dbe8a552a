"""The fixed vocabulary of the synthetic world: plans, prices, event names, endpoints, devices, errors."""

from __future__ import annotations

import numpy as np

PLANS: tuple[str, ...] = ("Starter", "Growth", "Enterprise")
PLAN_SHARE = np.array([0.55, 0.33, 0.12])
SEAT_PRICE_CENTS = np.array([4900, 7900, 12900])
"""Monthly list price of one seat, per plan."""
ANNUAL_FACTOR = 12 * 0.85
"""An annual seat costs twelve months less 15%."""
ANNUAL_SHARE = np.array([0.10, 0.25, 0.50])
"""Share of orgs billed yearly, per plan."""
SEAT_MEDIAN = np.array([4.0, 12.0, 32.0])
"""Median number of providers of an org, per plan."""

# Lifecycles of an org over the window.
GROWING, STEADY, DECLINING, CHURNED, RETURNING = range(5)
LIFECYCLES: tuple[str, ...] = ("growing", "steady", "declining", "churned", "returning")

ROLES: tuple[str, ...] = ("doctor", "nurse", "admin")
ROLE_SHARE = np.array([0.72, 0.18, 0.10])
DOCTOR, NURSE, ADMIN = range(3)

COUNTRIES: tuple[str, ...] = ("US", "CA")
DEVICES: tuple[str, ...] = (
    "Chrome/Windows",
    "Edge/Windows",
    "Safari/macOS",
    "Chrome/macOS",
    "Safari/iOS",
    "Chrome/Android",
)
DEVICE_SHARE = np.array([0.38, 0.17, 0.2, 0.1, 0.11, 0.04])

# Event kinds: the code is the index.
EVENT_NAMES: tuple[str, ...] = (
    "org_created",
    "org_signup",
    "provider_created",
    "login",
    "logout",
    "page_view",
    "note_submit",
    "summarize_start",
    "summarize_success",
    "summarize_failed",
    "note_save",
    "note_locked",
    "note_review",
)
(
    ORG_CREATED,
    ORG_SIGNUP,
    PROVIDER_CREATED,
    LOGIN,
    LOGOUT,
    PAGE_VIEW,
    NOTE_SUBMIT,
    SUMMARIZE_START,
    SUMMARIZE_SUCCESS,
    SUMMARIZE_FAILED,
    NOTE_SAVE,
    NOTE_LOCKED,
    NOTE_REVIEW,
) = range(len(EVENT_NAMES))
ENDPOINTS: tuple[str, ...] = (
    "/api/v1/orgs",
    "/api/v1/orgs",
    "/api/v1/providers",
    "/api/v1/auth/login",
    "/api/v1/auth/logout",
    "",  # page views carry their page path instead
    "/api/v1/notes",
    "/api/v1/notes/summarize",
    "/api/v1/notes/summarize",
    "/api/v1/notes/summarize",
    "/api/v1/notes/save",
    "/api/v1/notes/status",
    "/api/v1/notes/status",
)
SERVER_SIDE = np.array([True, True, True, False, False, False, False, True, True, True, False, False, False])
"""Kinds logged by the API ('api_logger'); the rest come from the browser ('frontend_logger')."""
PAGE_PATHS: tuple[str, ...] = ("/dashboard", "/notes", "/notes/new", "/patients", "/schedule", "/settings")

FEATURES: tuple[str, ...] = ("note", "auto_coding")
RELEASES: tuple[str, ...] = ("v2.13.4", "v2.14.0", "v2.14.1", "v2.15.0", "v2.15.2", "v2.16.0")
"""Client releases, rolled out one after another across the window."""

# Job outcomes.
SUCCESS, FAILED, SENTRY_ONLY, TIMEOUT = range(4)
OUTCOMES: tuple[str, ...] = ("success", "failed", "sentry_only", "timeout")
FAILURE_RATES = np.array([0.012, 0.005, 0.004])
"""Base probability of FAILED, SENTRY_ONLY and TIMEOUT per job (times the org's failure multiplier)."""

ERROR_CODES: tuple[str, ...] = ("LLM_TIMEOUT", "ASR_FAILED", "CONTEXT_TOO_LONG", "RATE_LIMITED", "UPSTREAM_5XX")
JOB_ERRORS: tuple[tuple[str, str], ...] = (
    ("SummarizationTimeout: model did not answer within 30s", "summarizer.pipeline.run_model"),
    ("TranscriptionError: audio could not be decoded", "summarizer.asr.transcribe"),
    ("ContextTooLong: transcript exceeds 128000 tokens", "summarizer.pipeline.build_prompt"),
    ("RateLimitError: upstream model quota exceeded", "summarizer.clients.llm.complete"),
    ("UpstreamError: 502 Bad Gateway from model gateway", "summarizer.clients.llm.complete"),
)
"""(message, culprit) of the Sentry error of a job that failed with a summarize_failed event, per code."""
SILENT_ERRORS: tuple[tuple[str, str], ...] = (
    ("KeyError: 'segments'", "summarizer.worker.process_job"),
    ("WorkerLost: worker exited prematurely: signal 9 (SIGKILL)", "summarizer.worker.consume"),
)
"""(message, culprit) of job failures seen only in Sentry."""
WEB_NOISE: tuple[tuple[str, str, str], ...] = (
    ("warning", "ResizeObserver loop completed with undelivered notifications", "NoteEditor.layout"),
    ("warning", "Slow network: request took longer than 5s", "api.client.fetch"),
    ("error", "TypeError: Cannot read properties of undefined (reading 'map')", "PatientList.render"),
    ("error", "ChunkLoadError: Loading chunk 412 failed", "webpack.runtime"),
    ("info", "Session refreshed", "auth.session.refresh"),
)
"""(level, message, culprit) of browser errors not tied to a job."""
WORKER_NOISE: tuple[tuple[str, str, str], ...] = (
    ("error", "OperationalError: could not connect to server", "exports.pdf.render_batch"),
    ("warning", "Retrying task after transient failure", "tasks.retry"),
    ("error", "TimeoutError: EHR sync exceeded 120s", "integrations.ehr.sync"),
)
"""(level, message, culprit) of background-worker errors not tied to any org."""

ORG_WORDS_A: tuple[str, ...] = (
    "Cedar",
    "Riverside",
    "Northside",
    "Summit",
    "Bayview",
    "Maple",
    "Harbor",
    "Lakeside",
    "Pinecrest",
    "Valley",
    "Sunrise",
    "Westbrook",
    "Oakridge",
    "Clearwater",
    "Granite",
    "Evergreen",
)
ORG_WORDS_B: tuple[str, ...] = (
    "Family Medicine",
    "Pediatrics",
    "Medical Group",
    "Health Partners",
    "Cardiology",
    "Orthopedics",
    "Internal Medicine",
    "Women's Health",
    "Urgent Care",
    "Dermatology",
    "Clinic",
    "Physicians",
)
PATIENT_NAMES: tuple[str, ...] = ("Jane Doe", "John Roe", "Maria Garcia", "Wei Chen", "Amal Haddad")
NOTE_TEXTS: tuple[str, ...] = (
    "Patient presents with a persistent cough for two weeks.",
    "Follow-up after knee surgery; swelling reduced.",
    "Reports headaches in the morning, no nausea.",
)
