import torch.nn as nn

conv = nn.Conv2d(4, 6, 3, groups=2)
up = nn.ConvTranspose2d(4, 6, 3, groups=2)
print(conv.weight.shape, up.weight.shape)
assert conv.weight.shape == (6, 2, 3, 3)  # (out, in/groups, k, k)
assert up.weight.shape == (4, 3, 3, 3)  # (in, out/groups, k, k)
