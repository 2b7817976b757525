import torch
import torch.nn.functional as F


def stack(layers: list[tuple[int, int]], n: int = 16) -> list[int]:
    """Tap counts after transposed convs with kernels of ones, ones in (1-D)."""
    x = torch.ones(1, 1, n)
    for k, s in layers:
        x = F.conv_transpose1d(x, torch.ones(1, 1, k), stride=s)
    return x[0, 0].int().tolist()


def middle(counts: list[int], period: int) -> list[int]:
    """One period from the middle, away from both borders."""
    start = len(counts) // 2 // period * period
    return counts[start : start + period]


one, two, three = ([(3, 2)] * depth for depth in (1, 2, 3))
for layers, period, ratio in [(one, 2, 2), (two, 4, 3), (three, 8, 5)]:
    values = middle(stack(layers), period)
    print(len(layers), "layers:", values)
    assert max(values) / min(values) == ratio  # 2, 3, 5: the pattern compounds

# A later (4, 2) layer adds neighbour pairs: 1 + 2 everywhere, no pattern.
assert set(middle(stack([(3, 2), (4, 2)]), 4)) == {3}
# k divisible by s is not enough: (2, 2) and (6, 2) keep it.
assert len(set(middle(stack([(3, 2), (2, 2)]), 4))) == 2
assert len(set(middle(stack([(3, 2), (6, 2)]), 4))) == 2
