"""Bad input to the convolutions gets a ValueError/TypeError naming the argument and value.

One test per mistake; each matches the argument's name and the value received.
"""

from __future__ import annotations

import numpy as np
import pytest

from convzoo import functional as F

X = np.ones((2, 4, 6, 6))
W = np.ones((8, 4, 3, 3))
WT = np.ones((4, 2, 3, 3))      # transposed layout (C_in, C_out/groups, kh, kw)


# --- ndim ----------------------------------------------------------------------------------

def test_conv2d_input_wrong_ndim():
    with pytest.raises(ValueError, match=r"input must be 4-dimensional; got input with shape "
                                         r"\(4, 6, 6\)"):
        F.conv2d(np.ones((4, 6, 6)), W)


def test_conv2d_weight_wrong_ndim():
    with pytest.raises(ValueError, match=r"weight must be 4-dimensional; got weight with shape "
                                         r"\(8, 4, 3\)"):
        F.conv2d(X, np.ones((8, 4, 3)))


def test_conv1d_input_wrong_ndim():
    with pytest.raises(ValueError, match=r"input must be 3-dimensional; got input with shape "
                                         r"\(2, 4, 6, 6\)"):
        F.conv1d(X, np.ones((8, 4, 3)))


def test_conv3d_weight_wrong_ndim():
    with pytest.raises(ValueError, match=r"weight must be 5-dimensional; got weight with shape "
                                         r"\(8, 4, 3, 3\)"):
        F.conv3d(np.ones((1, 4, 5, 5, 5)), W)


def test_conv_transpose2d_input_wrong_ndim():
    with pytest.raises(ValueError, match=r"input must be 4-dimensional; got input with shape "
                                         r"\(4, 6, 6\)"):
        F.conv_transpose2d(np.ones((4, 6, 6)), WT)


# --- channels and groups -----------------------------------------------------------------------

def test_channels_not_divisible_by_groups():
    with pytest.raises(ValueError, match=r"groups must divide in_channels; got groups=3, "
                                         r"in_channels=4"):
        F.conv2d(X, np.ones((6, 1, 3, 3)), groups=3)


def test_out_channels_not_divisible_by_groups():
    with pytest.raises(ValueError, match=r"groups must divide out_channels; got groups=4, "
                                         r"out_channels=6"):
        F.conv2d(X, np.ones((6, 1, 3, 3)), groups=4)


def test_weight_channels_not_matching_input():
    with pytest.raises(ValueError, match=r"weight expects 3 input channels \(weight.shape\[1\]=3 "
                                         r"x groups=1\); got input with 4 channels"):
        F.conv2d(X, np.ones((8, 3, 3, 3)))


def test_grouped_weight_channels_not_matching_input():
    with pytest.raises(ValueError, match=r"weight expects 8 input channels \(weight.shape\[1\]=4 "
                                         r"x groups=2\); got input with 4 channels"):
        F.conv2d(X, W, groups=2)


def test_groups_zero_rejected():
    with pytest.raises(ValueError, match=r"groups must be >= 1; got groups=0"):
        F.conv2d(X, W, groups=0)


def test_groups_not_int_rejected():
    with pytest.raises(TypeError, match=r"groups must be an int; got groups=2.0"):
        F.conv2d(X, W, groups=2.0)


def test_transposed_weight_channels_not_matching_input():
    with pytest.raises(ValueError, match=r"weight.shape\[0\] must equal the input channels; got "
                                         r"weight with shape \(3, 2, 3, 3\) and input with 4 "
                                         r"channels"):
        F.conv_transpose2d(X, np.ones((3, 2, 3, 3)))


def test_transposed_channels_not_divisible_by_groups():
    with pytest.raises(ValueError, match=r"groups must divide in_channels; got groups=3, "
                                         r"in_channels=4"):
        F.conv_transpose2d(X, WT, groups=3)


# --- sizes ---------------------------------------------------------------------------------

def test_kernel_larger_than_padded_input():
    with pytest.raises(ValueError, match=r"effective kernel size 7\) is larger than the padded "
                                         r"input in spatial dim 0: input size 6 \+ padding "
                                         r"0\+0 = 6"):
        F.conv2d(X, np.ones((8, 4, 7, 3)))


def test_dilated_kernel_larger_than_padded_input():
    # 3 taps at dilation 4 span 9 cells; padding 1+1 makes 8
    with pytest.raises(ValueError, match=r"effective kernel size 9\) is larger than the padded "
                                         r"input in spatial dim 1: input size 6 \+ padding 1\+1"):
        F.conv2d(X, np.ones((8, 4, 1, 3)), padding=1, dilation=(1, 4))


def test_zero_stride():
    with pytest.raises(ValueError, match=r"stride must be >= 1; got stride=0"):
        F.conv2d(X, W, stride=0)


def test_negative_stride():
    with pytest.raises(ValueError, match=r"stride must be >= 1; got stride=\(1, -2\)"):
        F.conv2d(X, W, stride=(1, -2))


def test_stride_wrong_length():
    with pytest.raises(ValueError, match=r"stride must be an int or a sequence of 2 ints; got "
                                         r"stride=\(1, 2, 3\)"):
        F.conv2d(X, W, stride=(1, 2, 3))


def test_stride_float():
    with pytest.raises(TypeError, match=r"stride must be an int or a sequence of 2 ints; got "
                                        r"stride=1.5"):
        F.conv2d(X, W, stride=1.5)


def test_zero_dilation():
    with pytest.raises(ValueError, match=r"dilation must be >= 1; got dilation=0"):
        F.conv2d(X, W, dilation=0)


def test_negative_dilation_transposed():
    with pytest.raises(ValueError, match=r"dilation must be >= 1; got dilation=-1"):
        F.conv_transpose2d(X, WT, dilation=-1)


def test_zero_size_kernel():
    with pytest.raises(ValueError, match=r"weight must not have a zero-size dimension; got "
                                         r"weight with shape \(8, 4, 0, 3\)"):
        F.conv2d(X, np.ones((8, 4, 0, 3)))


def test_zero_size_input():
    with pytest.raises(ValueError, match=r"input must not have a zero-size dimension; got input "
                                         r"with shape \(0, 4, 6, 6\)"):
        F.conv2d(np.ones((0, 4, 6, 6)), W)


# --- padding -------------------------------------------------------------------------------

def test_negative_padding():
    with pytest.raises(ValueError, match=r"padding must be >= 0; got padding=-1"):
        F.conv2d(X, W, padding=-1)


def test_negative_padding_in_a_pair():
    with pytest.raises(ValueError, match=r"padding must be >= 0; got padding=\(\(0, -1\), "
                                         r"\(1, 1\)\)"):
        F.conv2d(X, W, padding=((0, -1), (1, 1)))


def test_negative_padding_transposed():
    with pytest.raises(ValueError, match=r"padding must be >= 0; got padding=\(1, -1\)"):
        F.conv_transpose2d(X, WT, padding=(1, -1))


def test_unknown_padding_mode():
    with pytest.raises(ValueError, match=r"padding must be an int, a tuple, or one of \('valid', "
                                         r"'same', 'same_lower', 'full'\); got padding='half'"):
        F.conv2d(X, W, padding="half")


def test_padding_mode_rejected_by_transposed_conv():
    with pytest.raises(ValueError, match=r"padding must be an int, 2 ints, or 2 \(before, "
                                         r"after\) pairs \(no mode strings here\); "
                                         r"got padding='same'"):
        F.conv_transpose2d(X, WT, padding="same")


def test_padding_wrong_length():
    with pytest.raises(ValueError, match=r"padding must be an int, 2 ints, 2 \(before, after\) "
                                         r"pairs.*got padding=\(1, 2, 3\)"):
        F.conv2d(X, W, padding=(1, 2, 3))


def test_padding_float():
    with pytest.raises(ValueError, match=r"got padding=1.5"):
        F.conv2d(X, W, padding=1.5)


def test_transposed_padding_leaves_no_output():
    with pytest.raises(ValueError, match=r"transposed convolution output size would be -2 in "
                                         r"spatial dim 0 \(input 6, padding 5\+5\)"):
        F.conv_transpose2d(X, WT, padding=5)


# --- dtypes ----------------------------------------------------------------------------------

def test_int_input_rejected():
    with pytest.raises(TypeError, match=r"input must have a floating-point dtype; got input "
                                        r"with dtype int64"):
        F.conv2d(X.astype(np.int64), W)


def test_int_weight_rejected():
    with pytest.raises(TypeError, match=r"weight must have a floating-point dtype; got weight "
                                        r"with dtype int32"):
        F.conv2d(X, W.astype(np.int32))


def test_bool_input_rejected_by_transposed_conv():
    with pytest.raises(TypeError, match=r"input must have a floating-point dtype; got input "
                                        r"with dtype bool"):
        F.conv_transpose2d(X.astype(bool), WT)


def test_non_numeric_input_rejected():
    with pytest.raises(TypeError, match=r"input must have a floating-point dtype; got input "
                                        r"with dtype object"):
        F.conv2d(None, W)


def test_mismatched_input_weight_dtypes():
    with pytest.raises(TypeError, match=r"input and weight must have the same dtype; got input "
                                        r"float32 and weight float64"):
        F.conv2d(X.astype(np.float32), W)


def test_mismatched_bias_dtype():
    with pytest.raises(TypeError, match=r"input and bias must have the same dtype; got input "
                                        r"float64 and bias float32"):
        F.conv2d(X, W, np.ones(8, dtype=np.float32))


def test_flip_kernel_not_bool():
    with pytest.raises(TypeError, match=r"flip_kernel must be a bool; got flip_kernel='yes'"):
        F.conv2d(X, W, flip_kernel="yes")


# --- bias --------------------------------------------------------------------------------------

def test_bias_wrong_length():
    with pytest.raises(ValueError, match=r"bias must have shape \(8,\) to match the output "
                                         r"channels; got bias with shape \(4,\)"):
        F.conv2d(X, W, np.ones(4))


def test_bias_wrong_ndim():
    with pytest.raises(ValueError, match=r"bias must have shape \(8,\) to match the output "
                                         r"channels; got bias with shape \(8, 1\)"):
        F.conv2d(X, W, np.ones((8, 1)))


def test_transposed_bias_wrong_shape():
    # C_out = weight.shape[1] * groups = 2 * 2 = 4
    with pytest.raises(ValueError, match=r"bias must have shape \(4,\) to match the output "
                                         r"channels; got bias with shape \(2,\)"):
        F.conv_transpose2d(X, WT, np.ones(2), groups=2)


# --- transposed: output_padding / output_size ------------------------------------------------

def test_output_padding_and_output_size_together():
    with pytest.raises(ValueError, match=r"give output_padding or output_size, not both; got "
                                         r"output_padding=1, output_size=\(12, 12\)"):
        F.conv_transpose2d(X, WT, stride=2, output_padding=1, output_size=(12, 12))


def test_wrong_output_size():
    with pytest.raises(ValueError, match=r"output_size 20 is not reachable in spatial dim 0: "
                                         r"valid sizes are 13\.\.14; got output_size=\(20, 13\)"):
        F.conv_transpose2d(X, WT, stride=2, output_size=(20, 13))


def test_output_size_wrong_length():
    with pytest.raises(ValueError, match=r"output_size must have 2 or 4 elements; got "
                                         r"output_size=\(13, 13, 13\)"):
        F.conv_transpose2d(X, WT, stride=2, output_size=(13, 13, 13))


def test_output_padding_not_smaller_than_stride():
    with pytest.raises(ValueError, match=r"output_padding must be smaller than stride or "
                                         r"dilation; got output_padding=2 with stride=2, "
                                         r"dilation=1 in spatial dim 0"):
        F.conv_transpose2d(X, WT, stride=2, output_padding=2)


def test_negative_output_padding():
    with pytest.raises(ValueError, match=r"output_padding must be >= 0; got output_padding=-1"):
        F.conv_transpose2d(X, WT, stride=2, output_padding=-1)
