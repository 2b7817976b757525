import torch
import torch.nn.functional as F

ones = torch.ones(1, 1, 6, 6)
k3 = F.conv_transpose2d(ones, torch.ones(1, 1, 3, 3), stride=2)[0, 0, 2:6, 2:6]
k4 = F.conv_transpose2d(ones, torch.ones(1, 1, 4, 4), stride=2)[0, 0, 2:6, 2:6]
print(k3)
print(k4)
assert set(k3.unique().tolist()) == {1.0, 2.0, 4.0}  # k=3, s=2: uneven overlap, a checkerboard
assert torch.all(k4 == 4)  # k=4, s=2: every output gets the same number of contributions
