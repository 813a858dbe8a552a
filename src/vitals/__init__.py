"""vitals: customer metrics from product events, Stripe billing and Sentry errors."""

__version__ = "0.1.0"
