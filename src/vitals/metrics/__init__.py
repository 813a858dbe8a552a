"""The metric catalog and the metrics layer's readers."""
