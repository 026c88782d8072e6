# Shortcuts; each target is one command you can also type yourself.
.PHONY: install test test-all quickstart benchmark

install:            ## the package, its test extras, TF Serving's protos and the genzoo command
	pip install -e ".[test]"
	pip install --no-deps "tensorflow-serving-api>=2.21,<3"

test:               ## the fast tier (what CI runs)
	pytest

test-all:           ## fast and slow tiers
	pytest -m "slow or not slow"

quickstart:         ## the README's first command
	genzoo train dcgan

benchmark:          ## dcgan throughput: genzoo vs a hand-written loop -> docs/benchmarks.md
	python benchmarks/throughput.py
