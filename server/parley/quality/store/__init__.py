"""The quality loop's SQL: reply experiments and service-level targets."""
