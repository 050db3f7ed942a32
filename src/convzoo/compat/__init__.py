"""Other frameworks' APIs on top of convzoo.

``convzoo.compat.tf``: TensorFlow ``tf.nn`` convolutions (NHWC/HWIO layouts, SAME/VALID
padding, ``conv2d_transpose`` with an explicit ``output_shape``) returning NumPy arrays.

>>> from convzoo.compat import tf
>>> tf.conv2d.__name__
'conv2d'
"""

from . import tf  # noqa: F401
