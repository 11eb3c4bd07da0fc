"""Grids: the county's grid hierarchy, grid workers and roll-ups over a grid's subtree."""
