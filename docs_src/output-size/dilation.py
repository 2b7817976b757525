from convnotes.shapes import conv_output_size, effective_kernel_size

assert effective_kernel_size(3, dilation=2) == 5
assert conv_output_size(7, 3, dilation=2) == 3
assert conv_output_size(7, 5) == 3  # the same as an ordinary 5-tap kernel
