#!/usr/bin/env bash
# Lint the documentation as docs.ansible.com would: every plugin's, module's and role's
# documentation (schema, markup, references) and the extra docs in docs/docsite.
# shellcheck source=docs/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../docs/env.sh"
docs_venv
docs_collection_tree
trap 'rm -rf "$DOCS_TREE"' EXIT

cd "$ANSIBLE_COLLECTIONS_PATH/ansible_collections/apiops/saas" || exit 1
antsibull-docs lint-collection-docs --plugin-docs --check-extra-docs-refs \
    --validate-collection-refs dependent --disallow-unknown-collection-refs .
echo "OK: antsibull-docs $(antsibull-docs --version) found no documentation problem"
