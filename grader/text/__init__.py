"""Reading free text the way a careful marker does: words, claims with their negation scope, a rubric's concepts."""
