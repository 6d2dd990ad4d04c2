"""Lambda entry points: parse the event, call one domain function, return a small model."""
