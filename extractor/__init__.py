"""Evidence extraction for infant KMT2A-rearranged ALL literature."""

__version__ = "0.1.0"
