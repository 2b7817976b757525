convnotes shape transpose -i 4 -k 3 -s 2 -a 1
