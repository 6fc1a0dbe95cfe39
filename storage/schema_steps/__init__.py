"""The released migration steps of the schema, grouped by when they were added."""
