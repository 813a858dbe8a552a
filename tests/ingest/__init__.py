"""Tests of the loaders: bulk files, the app's Postgres, landing and sanitizing."""
