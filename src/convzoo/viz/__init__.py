"""Pictures: training curves, animations of the sliding window, filter galleries (matplotlib)."""
