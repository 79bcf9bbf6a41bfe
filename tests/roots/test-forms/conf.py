extensions = ["generators.sphinxext"]
project = "Forms test"
