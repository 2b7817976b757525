import torch
import torch.nn.functional as F

i, k, s = 6, 3, 2
without_floor = (i - k) / s + 1
y = F.conv2d(torch.zeros(1, 1, i, i), torch.zeros(1, 1, k, k), stride=s)
print(without_floor, y.shape[-1])
assert without_floor == 2.5  # not a size
# with the floor, the formula gives what PyTorch returns
assert y.shape[-1] == (i - k) // s + 1 == 2
