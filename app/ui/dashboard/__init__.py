"""``pika-manager``'s screens: thin Qt over ``app.core.dashboard`` (issue 14)."""
