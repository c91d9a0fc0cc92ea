"""Tests of the store's snapshot and change log."""
