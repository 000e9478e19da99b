"""Simulation engines, cost models and the command line."""
