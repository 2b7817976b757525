import torch
import torch.nn as nn
import torch.nn.functional as F


def bilinear_weights(scale: int) -> torch.Tensor:
    """FCN's bilinear kernel, k = 2s − (s mod 2): the outer product of a tent."""
    k = 2 * scale - scale % 2
    factor = (k + 1) // 2
    centre = factor - 1 if k % 2 else factor - 0.5
    tent = 1 - (torch.arange(k, dtype=torch.float64) - centre).abs() / factor
    return torch.outer(tent, tent)


s, channels = 2, 3
up = nn.ConvTranspose2d(
    channels, channels, 2 * s, stride=s, padding=s // 2, groups=channels, bias=False
).double()
with torch.no_grad():
    up.weight.copy_(bilinear_weights(s).expand_as(up.weight))  # one kernel per channel

torch.manual_seed(0)
x = torch.rand(1, channels, 8, 8, dtype=torch.float64)
with torch.no_grad():
    ours = up(x)
resized = F.interpolate(x, scale_factor=s, mode="bilinear", align_corners=False)
assert ours.shape == resized.shape == (1, channels, 16, 16)

diff = (ours - resized).abs()
inner = diff[..., 1:-1, 1:-1].max().item()  # all but the outer row and column
border = diff.max().item()
print(f"interior: {inner:.1e}   border: {border:.3f}")
assert inner < 1e-12  # the same interpolation inside
assert border > 0.05  # zero padding: the edge loses the weight of a missing neighbour

# Padding the input by repeating its edge (what interpolate does) removes the difference.
padded = F.pad(x, (1, 1, 1, 1), mode="replicate")
with torch.no_grad():
    fixed = F.conv_transpose2d(padded, up.weight, stride=s, padding=s // 2 + s, groups=channels)
assert torch.allclose(fixed, resized, atol=1e-12)
