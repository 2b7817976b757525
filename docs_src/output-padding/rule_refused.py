import torch
import torch.nn as nn

# a = 2 is neither smaller than the stride (2) nor than the dilation (1)
up = nn.ConvTranspose2d(1, 1, kernel_size=3, stride=2, dilation=1, output_padding=2)
up(torch.zeros(1, 1, 5, 5))  # RuntimeError: output padding must be smaller than ...
