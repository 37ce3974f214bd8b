"""The vocabulary every layer shares: errors, constants and the shape of impCentral resources (no URLs)."""
