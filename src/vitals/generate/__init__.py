"""Realistic synthetic data for the demo, the tests and the benchmarks: the raw source tables.

``generate()`` writes ``events_big``, ``stripe_billing_big``, ``sentry_errors_big`` and ``nps_responses`` files with
exactly the raw contract columns (see ``vitals.contracts``); docs/generator.md describes the
knobs and the mess the data contains.
"""

from vitals.generate.runner import GenerateResult, generate

__all__ = ["GenerateResult", "generate"]
