"""The ledger's schema revisions, oldest first (``0001_…``, ``0002_…``)."""
