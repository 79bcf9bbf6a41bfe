"""Word export: the programme's documents as .docx files, rendered from the model with docxtpl."""
