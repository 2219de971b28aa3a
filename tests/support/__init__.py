"""Helpers shared by the tests: event and state comparisons, random command
streams, the pure-Python reference book, and the recorded event corpus."""
