import torch
import torch.nn as nn
import torch.nn.functional as F


def bilinear_weights(scale: int) -> torch.Tensor:
    """FCN's bilinear kernel, k = 2s − (s mod 2): a tent times a tent."""
    k = 2 * scale - scale % 2
    factor = (k + 1) // 2
    centre = factor - 1 if k % 2 else factor - 0.5
    u = torch.arange(k, dtype=torch.float64)
    tent = 1 - (u - centre).abs() / factor
    return torch.outer(tent, tent)


s, c = 2, 3  # scale, channels
k, p = 2 * s, s // 2
up = nn.ConvTranspose2d(c, c, k, stride=s, padding=p, groups=c, bias=False)
up = up.double()
with torch.no_grad():
    up.weight.copy_(bilinear_weights(s).expand_as(up.weight))  # per channel

torch.manual_seed(0)
x = torch.rand(1, c, 8, 8, dtype=torch.float64)
with torch.no_grad():
    ours = up(x)
resized = F.interpolate(x, scale_factor=s, mode="bilinear", align_corners=False)
assert ours.shape == resized.shape == (1, c, 16, 16)

diff = (ours - resized).abs()
inner = diff[..., 1:-1, 1:-1].max().item()  # without the outer frame
border = diff.max().item()
print(f"interior: {inner:.1e}   border: {border:.3f}")
assert inner < 1e-12  # the same interpolation inside
assert border > 0.05  # zero padding: an edge pixel misses a neighbour

# Repeat the edge pixels (as interpolate does): the difference is gone.
padded = F.pad(x, (1, 1, 1, 1), mode="replicate")
w = up.weight
fixed = F.conv_transpose2d(padded, w, stride=s, padding=p + s, groups=c)
assert torch.allclose(fixed, resized, atol=1e-12)
