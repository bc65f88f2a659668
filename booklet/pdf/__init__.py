"""PDF: the print and digital editions, preflight, imposition and the typography audit."""
