"""Validation against real kernel runs."""
