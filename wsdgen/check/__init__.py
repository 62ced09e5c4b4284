"""Stage 2: validate entries into records, link them into the site graph, and check
references, paths, links and ownership."""
