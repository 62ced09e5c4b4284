"""Stage 1: read config.yaml and the content files, safely, as written."""
