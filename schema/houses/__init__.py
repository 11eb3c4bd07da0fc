"""Houses: the public-security standard addresses and who lives in them."""
