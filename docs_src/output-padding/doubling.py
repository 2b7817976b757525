import torch
import torch.nn as nn

up = nn.ConvTranspose2d(8, 4, kernel_size=3, stride=2, padding=1, output_padding=1)
down = nn.Conv2d(4, 8, kernel_size=3, stride=2, padding=1)

for n in (16, 17, 33, 64, 65):
    x = torch.zeros(1, 8, n, n)
    assert up(x).shape[-1] == 2 * n  # always doubles
    assert down(torch.zeros(1, 4, n, n)).shape[-1] == (n + 1) // 2  # ceil(n / 2)

assert up(down(torch.zeros(1, 4, 65, 65))).shape[-1] == 66  # 65 -> 33 -> 66
