"""Realistic synthetic data for the demo, the tests and the benchmarks: the raw source tables.

``generate()`` writes ``events_big``, ``stripe_billing_big``, ``sentry_errors_big`` and the optional domain tables
(``nps_responses``, CRM, marketing, support tickets, retention campaigns) as files with exactly the raw contract
columns (see ``vitals.contracts``); docs/generator.md describes the knobs and the mess the data contains.
"""

from vitals.generate.runner import GenerateResult, generate

__all__ = ["GenerateResult", "generate"]
