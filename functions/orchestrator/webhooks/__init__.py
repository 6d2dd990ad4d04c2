"""Webhooks: tenants' endpoints told of their runs' lifecycle events, signed as the Standard
Webhooks specification says (https://www.standardwebhooks.com), retried with backoff for hours,
then dead-lettered; an endpoint that keeps failing is disabled and its tenant told."""
