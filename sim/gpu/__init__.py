"""CTA/wave-level GPU model: kernels as mappings of Einsum cascades onto SMs."""
