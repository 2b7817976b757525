# run a notebook as a plain script
python docs_src/notebooks/transposed.py
# or make an .ipynb and open it in Jupyter
jupytext --to notebook docs_src/notebooks/transposed.py -o transposed.ipynb
