import torch
import torch.nn as nn

i, k, s, p, d = 4, 3, 2, 0, 1
x = torch.zeros(1, 1, i, i)
# o'(0): the smallest size, with output_padding 0
smallest = (i - 1) * s - 2 * p + d * (k - 1) + 1
sizes = []
for a in range(s):
    up = nn.ConvTranspose2d(1, 1, k, stride=s, output_padding=a)
    sizes.append(up(x).shape[-1])
print(sizes)
# o'(n) = o'(0) + n for n = 0 .. s-1
assert sizes == [smallest + n for n in range(s)]
