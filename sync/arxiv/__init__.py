"""The only code that talks to arXiv: announcement feeds, the API, polite HTTP, the calendar and the category list."""
