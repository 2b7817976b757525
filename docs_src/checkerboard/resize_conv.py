import torch
import torch.nn as nn

torch.manual_seed(0)
# instead of a transposed conv (below): resize, then a stride-1 conv
up = nn.Sequential(
    nn.Upsample(scale_factor=2, mode="nearest"),
    nn.Conv2d(64, 32, kernel_size=3, padding=1),
)
transposed = nn.ConvTranspose2d(
    64, 32, 3, stride=2, padding=1, output_padding=1
)

flat = torch.ones(1, 64, 8, 8)  # a constant input
with torch.no_grad():
    a, b = up(flat), transposed(flat)
assert a.shape == b.shape == (1, 32, 16, 16)


def spread(y: torch.Tensor) -> float:
    """Largest max − min of a channel, border row and column dropped."""
    inner = y[0, :, 1:-1, 1:-1]
    return (inner.amax(dim=(1, 2)) - inner.amin(dim=(1, 2))).max().item()


print(f"resize-conv: {spread(a):.1e}   transposed: {spread(b):.2f}")
assert spread(a) < 1e-5  # flat away from the border, in every channel
assert spread(b) > 0.1  # a 2×2 pattern
