"""Page-building: what each page of the site shows (read from the store) and the theme that
renders it. Render writes these pages to the public folder; ingest serves article previews."""
