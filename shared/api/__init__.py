"""Internal HTTP bodies, defined once: the service serves them, the gateway decodes them."""
