"""The HTTP JSON API (``/api/v1``): thin handlers over the services."""
