"""The traceability site: MyST pages generated from the model, read by Sphinx."""
