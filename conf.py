"""Sphinx configuration of the bundled example project.

The sources are in docs/; build with ``iso27035 build`` or
``sphinx-build -c . docs _build/html``. The extension configures MyST-Parser and
sphinx-needs from the trace model, so only the site's look is set here.
"""

project = "Quillmoor Freight & Storage Ltd: incident management programme"
author = "Quillmoor Freight & Storage Ltd"
extensions = ["generators.sphinxext"]
html_theme = "furo"
html_title = "Incident management programme"
exclude_patterns = ["_build"]
graphviz_output_format = "svg"
