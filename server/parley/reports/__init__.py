"""Reports over the record path: figures computed from conversation episodes and events
(never the mutable conversation row), for the API, the console and ``parley reports``."""
