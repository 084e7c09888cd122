"""HTTP plumbing the edges share: who is asking (``auth``), JSON bodies (``json``), the access
log. ``api/``, ``console/``, ``helpcenter/`` and ``sockets/`` build on it, so no edge imports
another."""
