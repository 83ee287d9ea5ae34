# The two commands a new user needs:
#   make demo   set everything up, start the sandbox, run the demo twice
#   make test   set everything up and run every test CI runs (tests/ci/test-all.sh)
# One part against one ansible-core version V (2.16 to 2.22; default: the newest):
#   make sanity V=2.18 | make units V=2.22 | make integration V=2.16 [TARGETS="runcloud_ping"] [SANDBOX_PROFILE=strict] [INTEGRATION_SHARD=1/2]
# The other parts, each also run by make test:
#   make lint             ansible-lint, production profile, on roles/ and playbooks/
#   make sandbox          the API sandbox in the foreground, prints its URL (PORT, SANDBOX_PROFILE)
#   make docs             the HTML documentation (docs/build/build/html/index.html)
#   make bench            the benchmarks (BENCH_ARGS="--sizes 100" ...: tests/benchmarks/run.sh --help)
#   make kinds-doc        write both registries' per-kind documentation into runcloud_resource and lightrun_resource
#   make min-versions     units and one integration target with the lowest requests, urllib3 and jsonschema allowed
#   make galaxy-importer  the checks Ansible Galaxy and Automation Hub run on import, default configuration

# The supported versions are listed once, in tests/ci/common.sh.
V ?= $(shell bash -c 'source tests/ci/common.sh && echo $$NEWEST_CORE')
TARGETS ?=

.PHONY: demo test sanity units integration lint sandbox docs bench kinds-doc min-versions galaxy-importer

demo:
	tests/ci/demo.sh

test:
	tests/ci/test-all.sh

sanity:
	tests/ci/ansible-test.sh $(V) sanity $(SANITY_ARGS)

units:
	tests/ci/ansible-test.sh $(V) units $(UNITS_ARGS)

integration:
	tests/ci/ansible-test.sh $(V) integration $(TARGETS)

lint:
	tests/ci/lint.sh

sandbox:
	V=$(V) tests/ci/sandbox.sh

docs:
	docs/build.sh

bench:
	V=$(V) tests/benchmarks/run.sh $(BENCH_ARGS)

kinds-doc:
	python3 tests/ci/kinds_doc.py

min-versions:
	tests/ci/min-versions.sh

galaxy-importer:
	tests/ci/galaxy-importer.sh
