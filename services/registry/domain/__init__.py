"""The registry's rules as plain functions: no I/O, fast unit tests."""
