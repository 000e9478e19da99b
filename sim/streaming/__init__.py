"""Streaming dataflow model: pipelined units joined by bounded FIFOs (DAM-style).

* :mod:`graph` -- frozen pipeline description (units, ports, FIFOs);
* :mod:`lowering` -- Einsum cascade -> pipeline, sized by the arch's ``streaming:`` section;
* :mod:`engine` -- SimPy reference (values and time, deadlock cycles);
* :mod:`timing` / :mod:`kernel` -- fast local-clock kernel (Numba) with its Python twin;
* :mod:`backend` -- ``run`` / ``parse_mapping`` for ``kind: streaming``;
* :mod:`table` -- ``sim streaming-table``.
"""
