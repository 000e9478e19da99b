"""Validation against real kernel runs (torch) and published GPU figures.

``sim validate`` measures a suite of real kernels (matmul, softmax, layernorm, SDPA
prefill, decode attention), runs the simulator on the same shapes, and writes a report
of measured vs estimated with the error per kernel family. ``sim calibrate`` describes
the host CPU as an architecture file from microbenchmarks. See docs/validation.md.
"""
