"""The manager desktop app's decisions, without Qt: sign-in, the analytics client, the offline
copy of the last figures, what the screens and exports show (issue 14)."""
