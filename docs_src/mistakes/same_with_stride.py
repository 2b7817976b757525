import torch.nn as nn

nn.Conv2d(1, 1, 3, stride=2, padding="same")  # ValueError
