convnotes solve transpose 17 33
