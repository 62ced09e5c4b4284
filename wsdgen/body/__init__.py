"""Stage 3: Markdown bodies to sanitised HTML."""
