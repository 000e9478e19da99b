"""Mapper and design-space exploration."""
