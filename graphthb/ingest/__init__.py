"""Reading input files, normalising identifiers and extracting them from ad text."""
