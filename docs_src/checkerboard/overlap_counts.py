import torch
import torch.nn.functional as F


def overlap(k: int, s: int, n: int = 8) -> list[int]:
    """Kernel copies landing on each output position (ones in, ones kernel)."""
    ones, kernel = torch.ones(1, 1, n), torch.ones(1, 1, k)
    return F.conv_transpose1d(ones, kernel, stride=s)[0, 0].int().tolist()


for k, s in [(3, 2), (4, 2), (5, 2)]:
    counts = overlap(k, s)
    interior = counts[k - 1 : len(counts) - k + 1]  # every tap lands here
    print(f"k={k} s={s}: {counts}")
    assert (min(interior) == max(interior)) == (k % s == 0)
