"""The HTTP API's parts: the request gate, security, and one router per resource."""
