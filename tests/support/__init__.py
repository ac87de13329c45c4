"""Test support: local servers that speak the real protocols."""
