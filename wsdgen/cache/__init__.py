"""What a build may reuse (--cache): rendered bodies, finished pages, inputs digests."""
