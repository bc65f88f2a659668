"""Import: raw text pulled out of a PDF → content/ and a review report."""
