from convnotes.shapes import conv_output_size

assert conv_output_size(6, 3, stride=2) == 2  # not 2.5
# two neighbouring sizes give the same output size
assert [conv_output_size(i, 3, stride=2, padding=1) for i in (5, 6)] == [3, 3]
# each dimension on its own
assert conv_output_size((65, 64), 3, stride=2, padding=1) == (33, 32)
