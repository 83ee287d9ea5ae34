# The two commands a new user needs:
#   make demo   set everything up, start the sandbox, run the demo twice
#   make test   set everything up and run every test CI runs
# Parts, for one ansible-core version V (2.16 or 2.19):
#   make sanity V=2.19 | make units V=2.19 | make integration V=2.19 [TARGETS="runcloud_ping"]
#   make lint | make sandbox | make docs | make bench

V ?= 2.19
TARGETS ?=

.PHONY: demo test sanity units integration lint sandbox docs bench

demo:
	tests/ci/demo.sh

test:
	tests/ci/test-all.sh

sanity:
	tests/ci/ansible-test.sh $(V) sanity

units:
	tests/ci/ansible-test.sh $(V) units

integration:
	tests/ci/ansible-test.sh $(V) integration $(TARGETS)

lint:
	tests/ci/lint.sh

sandbox:
	tests/ci/sandbox.sh

docs:
	docs/build.sh

bench:
	tests/benchmarks/run.sh $(BENCH_ARGS)
