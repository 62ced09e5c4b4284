from wsdgen.cli import entry_point

entry_point()
