"""The HubSpot way in: an incremental pull of deals (with their stage history), sales activities, contacts'
lifecycle dates and help-desk tickets through the official ``hubspot-api-client`` SDK, landed in the optional
domain contracts ``crm_deals``, ``crm_activities``, ``marketing_leads`` and ``support_tickets``.

The pull is ``vitals.hubspot.pull.pull`` (a submodule, so the SDK is imported only when it runs); see
docs/sources.md.
"""
