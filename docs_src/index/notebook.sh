python docs_src/notebooks/transposed.py    # run a notebook as a plain script
jupytext --to notebook docs_src/notebooks/transposed.py -o transposed.ipynb   # or open it in Jupyter
