"""The reflowable editions: EPUB 3 and the web edition, for phones.

Both are made from the loaded config and content (the same objects the
print layouts receive) through Jinja layouts, without WeasyPrint: model.py
orders the booklet into documents, images.py makes resized copies and the
cover picture, epub.py and web.py write the two editions, editions.py runs
them as one stage of a build or on their own after the PDFs (watch), and
browser.py reads the web edition in Chromium (`booklet preview --web`, tests).
"""
