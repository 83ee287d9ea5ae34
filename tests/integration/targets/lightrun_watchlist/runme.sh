#!/usr/bin/env bash
# A script target, not a role target: the collection has a role of the same name
# (roles/lightrun_watchlist), which ansible-test's generated "roles: [<target>]"
# play would run instead of these tests.
set -eux
ANSIBLE_ROLES_PATH="$(cd .. && pwd)" ansible-playbook runme.yml -i "${INVENTORY_PATH}" -e @../../integration_config.yml "$@"
