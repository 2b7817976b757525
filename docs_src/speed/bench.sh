python scripts/bench.py --quick   # about a minute
# one thread, CPU time
python scripts/bench.py --quick --threads 1 --clock cpu
# >= 20 rounds, >= 2 s per problem; writes benchmarks/results/*.json
python scripts/bench.py
python scripts/build_assets.py    # redraws this page's figures and table
