import torch
import torch.nn as nn

up = nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=1)
down = nn.Conv2d(4, 8, 3, stride=2, padding=1)

for n in (16, 17, 33, 64, 65):
    assert up(torch.zeros(1, 8, n, n)).shape[-1] == 2 * n  # always doubles
    assert down(torch.zeros(1, 4, n, n)).shape[-1] == (n + 1) // 2  # ceil

assert up(down(torch.zeros(1, 4, 65, 65))).shape[-1] == 66  # 65 -> 33 -> 66
