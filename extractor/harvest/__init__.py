"""Harvesting: PubMed through NCBI E-utilities (and, later, news feeds) into the store."""
