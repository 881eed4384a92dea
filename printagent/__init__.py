"""Table Order print agent: receives a printer's print jobs from the server and prints them.

Runs in the restaurant, next to a network receipt printer the cloud server cannot reach:
`python -m printagent --server https://… --token TOKEN --printer HOST[:PORT]`. Standard
library only (Python 3.9+), so it runs on a Raspberry Pi or any mini PC as it is. See README.md.
"""

__version__ = "1.0.0"
