"""paperfeed's JSON API (Flask). Imports ``sync``; ``sync`` never imports this package."""
