"""Coordinator commands: one implementation each, run from the CLI or from a verified mail.

``registry.REGISTRY`` names every command a coordinator can mail; ``mail.Coordination``
runs them with a receipt in the thread; ``mailflow.commands`` calls the same functions.
"""
