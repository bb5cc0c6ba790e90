"""Regions and grids, addressed by hierarchical codes."""
