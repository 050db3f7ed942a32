"""Layers: shapes, parameter counts and forward/backward against PyTorch with copied weights."""

import numpy as np
import pytest

import convzoo as cz
from convzoo import nn

torch = pytest.importorskip("torch")


def _to_torch(module, torch_module):
    """Copy convzoo parameters/buffers into the equivalent torch module by name."""
    sd = module.state_dict()
    tsd = torch_module.state_dict()
    assert set(sd) == set(tsd), (sorted(sd), sorted(tsd))
    torch_module.load_state_dict({k: torch.tensor(np.asarray(v)) for k, v in sd.items()})


LAYERS = [
    (lambda: nn.Conv2d(4, 6, 3, stride=2, padding=1, groups=2, rng=0),
     lambda: torch.nn.Conv2d(4, 6, 3, stride=2, padding=1, groups=2), (2, 4, 9, 8)),
    (lambda: nn.Conv1d(3, 5, 4, dilation=2, rng=1),
     lambda: torch.nn.Conv1d(3, 5, 4, dilation=2), (2, 3, 13)),
    (lambda: nn.Conv3d(2, 4, (2, 3, 3), padding=(0, 1, 1), rng=2),
     lambda: torch.nn.Conv3d(2, 4, (2, 3, 3), padding=(0, 1, 1)), (1, 2, 4, 5, 6)),
    (lambda: nn.ConvTranspose2d(4, 6, 4, stride=2, padding=1, groups=2, rng=3),
     lambda: torch.nn.ConvTranspose2d(4, 6, 4, stride=2, padding=1, groups=2), (2, 4, 5, 6)),
    (lambda: nn.Linear(7, 3, rng=4), lambda: torch.nn.Linear(7, 3), (5, 7)),
    (lambda: nn.BatchNorm2d(3), lambda: torch.nn.BatchNorm2d(3), (4, 3, 5, 5)),
    (lambda: nn.MaxPool2d(3, 2, 1, ceil_mode=True),
     lambda: torch.nn.MaxPool2d(3, 2, 1, ceil_mode=True),
     (2, 3, 8, 9)),
    (lambda: nn.AvgPool2d(2), lambda: torch.nn.AvgPool2d(2), (2, 3, 8, 8)),
    (lambda: nn.PReLU(3), lambda: torch.nn.PReLU(3), (2, 3, 4, 4)),
]


@pytest.mark.parametrize("make, make_torch, shape", LAYERS)
def test_layer_matches_torch_forward_and_backward(make, make_torch, shape):
    layer, tlayer = make(), make_torch().double()
    for p in layer.parameters():
        p.data = p.data.astype(np.float64)
    for name, b in list(layer.named_buffers()):
        if b.dtype.kind == "f":
            layer.set_buffer(name.split(".")[-1], b.astype(np.float64))
    _to_torch(layer, tlayer)
    x = np.random.default_rng(0).standard_normal(shape)
    xt = cz.tensor(x, requires_grad=True)
    tx = torch.tensor(x, requires_grad=True)
    y, ty = layer(xt), tlayer(tx)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-10, atol=1e-10)
    g = np.random.default_rng(1).standard_normal(ty.shape)
    y.backward(g)
    ty.backward(torch.tensor(g))
    np.testing.assert_allclose(xt.grad, tx.grad.numpy(), rtol=1e-9, atol=1e-10)
    tparams = dict(tlayer.named_parameters())
    for name, p in layer.named_parameters():
        np.testing.assert_allclose(p.grad, tparams[name].grad.numpy(), rtol=1e-9, atol=1e-10)
    for name, b in layer.named_buffers():  # batch-norm running statistics
        np.testing.assert_allclose(b, tlayer.state_dict()[name].numpy(), rtol=1e-10)


@pytest.mark.parametrize("make, make_torch", [
    (lambda: nn.Conv2d(64, 64, 3, groups=8, bias=False),
     lambda: torch.nn.Conv2d(64, 64, 3, groups=8, bias=False)),
    (lambda: nn.Conv2d(3, 10, 3), lambda: torch.nn.Conv2d(3, 10, 3)),
    (lambda: nn.ConvTranspose2d(8, 4, 3, groups=2),
     lambda: torch.nn.ConvTranspose2d(8, 4, 3, groups=2)),
    (lambda: nn.DepthwiseConv2d(8, 3, depth_multiplier=2),
     lambda: torch.nn.Conv2d(8, 16, 3, groups=8)),
    (lambda: nn.PointwiseConv2d(8, 5), lambda: torch.nn.Conv2d(8, 5, 1)),
    (lambda: nn.BatchNorm2d(7), lambda: torch.nn.BatchNorm2d(7)),
])
def test_parameter_counts_match_torch(make, make_torch):
    assert make().num_parameters() == sum(p.numel() for p in make_torch().parameters())


def test_article_parameter_counts():
    # shared/sources/002: grouped 64->64 3x3 g=8 vs standard; 16->32 separable; 3->4 separable
    assert nn.Conv2d(64, 64, 3, bias=False).num_parameters() == 36864
    assert nn.Conv2d(64, 64, 3, groups=8, bias=False).num_parameters() == 4608
    assert nn.Conv2d(16, 32, 3, bias=False).num_parameters() == 4608
    assert nn.SeparableConv2d(16, 32, 3, bias=False).num_parameters() == 656
    assert nn.Conv2d(3, 4, 3, bias=False).num_parameters() == 108
    assert nn.DepthwiseConv2d(3, 3, bias=False).num_parameters() == 27
    assert nn.PointwiseConv2d(3, 4, bias=False).num_parameters() == 12
    assert nn.Conv2d(3, 10, 3).num_parameters() == 280  # ten 3x3x3 filters with bias


def test_default_init_bounds_follow_pytorch():
    # kaiming_uniform(a=sqrt(5)) gives U(+-1/sqrt(fan_in)); bias the same bound
    layer = nn.Conv2d(16, 32, 3, rng=np.random.default_rng(0))
    bound = 1 / np.sqrt(16 * 9)
    assert np.abs(layer.weight.data).max() <= bound
    assert np.abs(layer.weight.data).max() > 0.95 * bound
    assert abs(layer.weight.data.std() - bound / np.sqrt(3)) < 0.05 * bound
    assert np.abs(layer.bias.data).max() <= bound
    assert layer.weight.dtype == np.float32


def test_same_seed_same_weights_and_different_seed_differs():
    a, b, c = (nn.Conv2d(3, 4, 3, rng=s) for s in (7, 7, 8))
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    assert not np.array_equal(a.weight.data, c.weight.data)


def test_state_dict_round_trip_and_errors():
    net = nn.Sequential(nn.Conv2d(1, 2, 3, rng=0), nn.BatchNorm2d(2), nn.ReLU())
    other = nn.Sequential(nn.Conv2d(1, 2, 3, rng=1), nn.BatchNorm2d(2), nn.ReLU())
    sd = net.state_dict()
    assert list(sd) == ["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean",
                        "1.running_var", "1.num_batches_tracked"]
    other.load_state_dict(sd)
    np.testing.assert_array_equal(other[0].weight.data, net[0].weight.data)
    with pytest.raises(KeyError, match="missing keys"):
        other.load_state_dict({"0.weight": sd["0.weight"]})
    bad = dict(sd)
    bad["0.weight"] = np.zeros((3, 1, 3, 3), np.float32)
    with pytest.raises(ValueError, match="shape mismatch for 0.weight"):
        other.load_state_dict(bad)


def test_train_eval_switch_changes_batch_norm_behaviour():
    bn = nn.BatchNorm2d(2)
    x = np.random.default_rng(0).standard_normal((4, 2, 3, 3)).astype(np.float32) * 3 + 5
    y_train = bn(x).data
    assert abs(y_train.mean()) < 1e-5  # batch statistics
    assert int(bn.num_batches_tracked) == 1
    bn.eval()
    assert not bn.training
    y_eval = bn(x).data  # running statistics after one update: not normalised
    assert y_eval.mean() > 1


def test_sequential_indexing_and_repr():
    net = nn.Sequential(nn.Conv2d(1, 2, 3, rng=0), nn.ReLU(), nn.Flatten())
    assert isinstance(net[1], nn.ReLU)
    assert len(net[:2]) == 2
    assert "Conv2d(1, 2, kernel_size=(3, 3)" in repr(net)
    with pytest.raises(TypeError, match="Sequential takes Modules"):
        nn.Sequential(3)


def test_layer_argument_errors():
    with pytest.raises(ValueError, match="groups must divide"):
        nn.Conv2d(4, 6, 3, groups=4)
    with pytest.raises(ValueError, match="kernel_size must be >= 1"):
        nn.Conv2d(4, 6, 0)
    with pytest.raises(ValueError, match="padding must be"):
        nn.Conv2d(4, 6, 3, padding="sideways")
    with pytest.raises(ValueError, match="p must be in"):
        nn.Dropout(1.5)
    with pytest.raises(TypeError, match="rng must be"):
        nn.Linear(3, 4, rng="seed")


def test_global_depthwise_conv_is_a_weighted_global_pool():
    gdc = nn.GlobalDepthwiseConv2d(3, 4, rng=0)
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 4)).astype(np.float32)
    y = gdc(x).data
    expected = (x * gdc.weight.data[:, 0][None]).sum(axis=(2, 3), keepdims=True)
    np.testing.assert_allclose(y, expected, rtol=1e-5)
    assert gdc.num_parameters() == 3 * 16
    with pytest.raises(ValueError, match="expects a"):
        gdc(np.zeros((1, 3, 5, 5), np.float32))


def test_separable_layer_equals_depthwise_then_pointwise_in_torch():
    layer = nn.SeparableConv2d(4, 6, 3, depth_multiplier=2, padding=1, rng=0)
    x = np.random.default_rng(0).standard_normal((2, 4, 7, 7)).astype(np.float32)
    t = torch.nn.functional
    mid = t.conv2d(torch.tensor(x), torch.tensor(layer.depthwise_weight.data), padding=1, groups=4)
    ref = t.conv2d(mid, torch.tensor(layer.pointwise_weight.data), torch.tensor(layer.bias.data))
    np.testing.assert_allclose(layer(x).data, ref.numpy(), rtol=1e-4, atol=1e-5)
