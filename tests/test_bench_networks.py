"""The benchmark's networks: with every conv swapped for ours (`swap_convs`), each
computes what the torch original computes, values and gradients (float64)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from networks import NETWORKS, conv_layers, swap_convs

SMALLER = {
    "ResNet-18": (3, 64, 64),
    "MobileNetV2": (3, 64, 64),
    "U-Net": (1, 64, 64),
    "CycleGAN generator": (3, 64, 64),
    "R3D-18 (Conv3d)": (3, 4, 32, 32),
}


@pytest.mark.parametrize("network", NETWORKS, ids=[n.name for n in NETWORKS])
def test_swapped_network_matches_torch(network) -> None:
    torch.manual_seed(0)
    native = network.build().double().train()
    ours = swap_convs(native)
    assert len(conv_layers(ours)) == len(conv_layers(native)) > 0
    assert all(type(m).__module__ == "convnotes.nn" for _, m in conv_layers(ours))
    # Every layer still runs on a smaller input; batch norm needs two samples to train.
    batch_norm = any(
        isinstance(m, torch.nn.BatchNorm2d | torch.nn.BatchNorm3d) for m in native.modules()
    )
    shape = SMALLER.get(network.name, network.input_shape[1:])
    x = torch.randn((2 if batch_norm else 1, *shape), dtype=torch.float64)
    expected, got = native(x), ours(x)
    scale = expected.abs().max().item()
    torch.testing.assert_close(got, expected, rtol=1e-9, atol=1e-9 * scale)
    expected.square().mean().backward()
    got.square().mean().backward()
    grad_scale = max(p.grad.abs().max().item() for p in native.parameters())
    for (name, p), q in zip(native.named_parameters(), ours.parameters()):
        torch.testing.assert_close(q.grad, p.grad, rtol=1e-8, atol=1e-9 * grad_scale, msg=name)
