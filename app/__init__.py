"""Streamlit design-space dashboard (``sim dashboard``): Run, Explore, Timeline, Validation, Compare.

``app/main.py`` is the entry point and ``app/views/`` holds one script per page. The other
modules are plain functions: results and stored tables into DataFrames (``frames``,
``roofline``, ``schedule``, ``sweeps``, ``validation_data``) and charts (``charts``).
"""
