import torch
import torch.nn as nn

x = torch.zeros(1, 1, 8, 8)
for p in range(3):
    size = nn.ConvTranspose2d(1, 1, 3, stride=2, padding=p)(x).shape[-1]
    print(p, size)
    # 17, 15, 13: each unit of padding takes 2 away
    assert size == (8 - 1) * 2 + 3 - 2 * p
