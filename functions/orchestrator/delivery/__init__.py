"""Feature delivery: the deployment engineer's domain (strategies, stages, environment state).

Pure code: no AWS, no network. ``orchestrator.delivery.strategies`` plans a deployment as a
recorded list of stages (``orchestrator.delivery.plan``), moves an environment's state through
them and evaluates each stage's health checks.
"""
