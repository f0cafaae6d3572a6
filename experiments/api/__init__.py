"""The REST API: thin views over experiments.services (urls.py is the map)."""
