"""Numba-compiled twin of :mod:`sim.streaming.kernel`.

The kernel is written once, as plain Python, in :mod:`sim.streaming.kernel`. This
module rebinds the same code objects to its own namespace, where every helper name
refers to the compiled helper, and compiles them with Numba (cached on disk).
"""

from __future__ import annotations

from types import FunctionType

from numba import njit

from sim.streaming import kernel as _source

globals().update({k: v for k, v in vars(_source).items()
                  if k.isupper() or k in ("np",)})

for _name in _source._KERNEL_FUNCTIONS:
    _fn = getattr(_source, _name)
    _inline = "never" if _name == "_run" else "always"
    globals()[_name] = njit(cache=True, inline=_inline)(FunctionType(_fn.__code__, globals(), _name))
