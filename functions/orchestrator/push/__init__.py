"""Push to clients: a tenant's WebSocket connections, what each subscribed to, and the lifecycle
events posted to them (``subscriptions.py``: the routes' work; ``fanout.py``: the bus's)."""
