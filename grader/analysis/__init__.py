"""Network analysis with torch (shapes, parameters, MACs, receptive fields); only key computation and carry-forward load it."""
