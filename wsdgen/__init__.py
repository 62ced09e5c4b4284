"""wsdgen: the static site generator of the Werkplaatsen Sociaal Domein."""

__version__ = "0.1.0"
