"""Side effects as commands: each has an ``execute`` and an idempotent ``undo`` (workspace writes,
integrations, vectors, deployment stages), and the executor that logs them."""
