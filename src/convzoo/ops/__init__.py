"""Pure NumPy kernels: each op's forward with its backward (vector-Jacobian product) beside it.

Modules: ``conv`` (N-d cross-correlation), ``transpose`` (transposed conv),
``window`` (padding and tap views), ``pool``, ``separable``, ``deform``, ``basic``.
Arguments arrive already checked and normalised by ``convzoo.functional``.
"""
