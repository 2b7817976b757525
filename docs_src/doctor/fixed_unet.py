import torch
from unet import build_fixed_unet

from convnotes.doctor import diagnose

for size in (
    64,
    65,
    66,
    67,
    101,
):  # output_size= follows the skip: every size fits
    assert diagnose(build_fixed_unet, (1, 3, size, size)).ok
    y = build_fixed_unet()(torch.zeros(1, 3, size, size))  # and on real tensors
    assert y.shape == (1, 2, size, size)
