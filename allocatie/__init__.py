"""allocatie: explainable matching of statushouder households to offered dwellings."""

__version__ = "0.1.0"
