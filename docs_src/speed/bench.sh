python scripts/bench.py --quick   # single layers and whole networks
python scripts/bench.py --quick --suite networks   # whole networks only
python scripts/bench.py --quick --suite layers --only conv_transpose
# one thread, CPU time: steadier on a busy machine
python scripts/bench.py --quick --threads 1 --clock cpu
# >= 20 rounds, >= 2 s per problem; writes benchmarks/results/*.json
python scripts/bench.py
# reference.json: refused unless the machine is idle before and after
python scripts/bench.py --reference
# rerun quickly; report headline figures that moved > 15% from reference.json
python scripts/bench.py --check
python scripts/build_assets.py    # redraws this page's figures and tables
