"""Stage 6: write the output folder and swap it in, the search index, the editing screen's files."""
