"""Building a booklet in pieces: each page group's PDF on its own, then merged.

WeasyPrint lays out and draws on one core, and its pages cannot cross a
process boundary. But a booklet is a row of page groups that each start on
a new page (incremental.py's chunks), so each group can be laid out and
drawn as its own document, in its own process, into its own PDF
(chunkpdf.py), and the PDFs merged (booklet.pdf.merge). The same pieces let
`booklet watch` redraw only the group an edit touched.
"""
