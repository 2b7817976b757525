import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
c_in, c_out, r = 4, 3, 2
conv = nn.Conv2d(c_in, c_out * r * r, 3, padding=1, bias=False)
shuffle = nn.PixelShuffle(r)

flat = torch.ones(1, c_in, 6, 6)  # a constant input


def spread(y: torch.Tensor) -> float:
    """Largest max − min over the interior of any channel."""
    inner = y[0, :, r:-r, r:-r]
    return (inner.amax(dim=(1, 2)) - inner.amin(dim=(1, 2))).max().item()


with torch.no_grad():
    random_init = shuffle(conv(flat))
    # ICNR: each output channel's r² sub-kernels start as one kernel
    kernel = torch.randn(c_out, c_in, 3, 3) * 0.1
    conv.weight.copy_(kernel.repeat_interleave(r * r, dim=0))
    icnr = shuffle(conv(flat))
    # at initialisation: a convolution, then nearest-neighbour upsampling
    x = torch.randn(1, c_in, 6, 6)
    low = F.conv2d(x, kernel, padding=1)
    expected = F.interpolate(low, scale_factor=r, mode="nearest")
    assert torch.allclose(shuffle(conv(x)), expected, atol=1e-6)

print(f"random init: {spread(random_init):.3f}, ICNR: {spread(icnr):.1e}")
assert spread(random_init) > 0.05  # an r×r pattern on a constant input
assert spread(icnr) < 1e-6  # flat
