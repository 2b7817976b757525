import torch
import torch.nn as nn

up = nn.ConvTranspose2d(1, 1, kernel_size=3, padding="same")  # accepted...
assert up.padding == ("s", "a", "m", "e")  # ...and stored as a tuple of letters

up(torch.zeros(1, 1, 5, 5))  # TypeError: ... must be tuple of ints, but found ... str
