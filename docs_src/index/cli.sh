# output size of a convolution, with the formula filled in
convnotes shape conv -i 32 -k 3 -s 2 -p 1
# transposed-convolution parameters that turn 17 into 33
convnotes solve transpose 17 33
