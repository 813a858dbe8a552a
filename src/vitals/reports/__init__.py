"""Reports: the weekly digest for the CEO."""
