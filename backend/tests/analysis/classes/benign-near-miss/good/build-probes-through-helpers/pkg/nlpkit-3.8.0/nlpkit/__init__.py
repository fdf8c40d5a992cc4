"""NLP toolkit."""
