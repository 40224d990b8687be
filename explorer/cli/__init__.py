"""The command line behind `python -m explorer` (explorer/__main__.py): one module per group of commands."""
