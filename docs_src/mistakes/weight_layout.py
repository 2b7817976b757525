import torch.nn as nn

print(nn.Conv2d(4, 6, 3, groups=2).weight.shape)
print(nn.ConvTranspose2d(4, 6, 3, groups=2).weight.shape)
assert nn.Conv2d(4, 6, 3, groups=2).weight.shape == (6, 2, 3, 3)  # (out, in/groups, k, k)
assert nn.ConvTranspose2d(4, 6, 3, groups=2).weight.shape == (4, 3, 3, 3)  # (in, out/groups, k, k)
