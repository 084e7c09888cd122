"""The quality loop: service-level targets (``sla``) and A/B tests of saved replies
(``experiments``, ``stats``)."""
