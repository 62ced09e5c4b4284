"""Stage 3b: the site's files under assets/, images and PDF reports."""
