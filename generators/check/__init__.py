"""The ``check`` command: a CI gate over the findings, in the report formats CI reads."""
