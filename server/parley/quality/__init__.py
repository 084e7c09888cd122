"""The quality loop: reply experiments (A/B-tested saved replies and their statistics)."""
