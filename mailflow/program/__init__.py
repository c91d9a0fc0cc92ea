"""What should happen: rules, the program's records and the pure decisions."""
