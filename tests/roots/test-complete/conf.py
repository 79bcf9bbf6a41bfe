extensions = ["generators.sphinxext"]
project = "Test project"
