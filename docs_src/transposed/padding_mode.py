import torch.nn as nn

nn.ConvTranspose2d(1, 1, kernel_size=3, padding_mode="reflect")  # ValueError
