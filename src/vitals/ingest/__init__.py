"""Ways data comes in: bulk files, the app's Postgres, webhooks; all land in the raw contracts."""
