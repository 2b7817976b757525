import torch
import torch.nn as nn

torch.manual_seed(0)
up = nn.ConvTranspose2d(8, 4, kernel_size=3, stride=2, padding=1)
x = torch.randn(1, 8, 33, 33)
assert up(x, output_size=(65, 65)).shape == (1, 4, 65, 65)
assert up(x, output_size=(66, 66)).shape == (1, 4, 66, 66)

# ValueError: ... valid sizes range from [65, 65] to [66, 66] ...
up(x, output_size=(67, 67))
