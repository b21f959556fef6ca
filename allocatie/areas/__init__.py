"""Neighbourhoods: CBS statistics and polygons, geography, concentration and segregation indices."""
