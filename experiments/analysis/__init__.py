"""Which configuration is best, how sure we are, what it costs (issue 14):
``stats`` holds the statistics, the other modules read sweeps into them."""
