"""Department file formats -> rows: one module per source, plus the dataset catalogue."""
