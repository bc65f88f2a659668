"""Render: content → HTML through the layouts → laid-out WeasyPrint pages, with the clreq typesetting layer."""
