"""The foundation every capability imports: records, errors (with their HTTP status), constants, ids,
settings, observability, the envelope of events, and the ports (every interface the domain needs)."""
