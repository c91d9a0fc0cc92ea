"""The CLI's commands that do more than call one function."""
