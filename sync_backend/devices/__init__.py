"""Devices: enrolment by one-time code, API keys (hashed, rotating), revocation."""
