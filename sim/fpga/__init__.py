"""FPGA datapath models: hls4ml-style dense/conv layers and an Edge-MoE attention datapath.

``reuse`` holds hls4ml's reuse-factor legality rule, ``hls4ml`` the per-layer and
per-network latency/resource model, ``edge_moe`` the ViT accelerator model, and
``backend`` plugs both into ``sim run`` for architectures of kind ``fpga``.
"""
