"""The public transparency page's figures: what is counted, how small counts are protected, and
the published decisions it lists (the page itself is rendered in `bot/transparency/`)."""
