"""Forms: the JSON Schema, the blank Word form and report validation, from one definition."""
