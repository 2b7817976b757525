import torch
import torch.nn as nn

i, k, s, p, d = 4, 3, 2, 0, 1
smallest = (i - 1) * s - 2 * p + d * (k - 1) + 1  # o'(0), with output_padding 0
sizes = [
    nn.ConvTranspose2d(1, 1, k, stride=s, output_padding=a)(torch.zeros(1, 1, i, i)).shape[-1]
    for a in range(s)
]
print(sizes)
assert sizes == [smallest + n for n in range(s)]  # o'(n) = o'(0) + n, n = 0 .. s-1
