"""Places: cities, their Laboratori aperti, and who runs them."""
