"""convzoo: the convolution family of CNNs as correct, fast, differentiable NumPy operators."""

from . import data, functional, nn, optim, shapes, zoo  # noqa: F401
from .autograd import Function, Tensor, as_tensor, enable_grad, is_grad_enabled, no_grad, tensor  # noqa: F401

__version__ = "0.1.0"
