"""`wsdgen serve`: the local server, its /beheer/ backend and the check before a save."""
