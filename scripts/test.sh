#!/usr/bin/env bash
# test.sh: run every gomagnum test against the real components it needs,
# installing (Debian packages) and starting them first. Works on a fresh
# Debian machine as root; on a machine that has them, it only starts them.
#
#   scripts/test.sh                 all tests (what CI runs)
#   scripts/test.sh ./magnum/...    only some packages (go test patterns)
#
# Components: PostgreSQL (scripts/postgres.sh), a real Heat in noauth mode and
# one behind a real Keystone (scripts/heat.sh), Barbican (scripts/barbican.sh),
# the openstack/magnum CLIs, shellcheck and openssl. With
# GOMAGNUM_REQUIRE_REAL=1 (the default here) a test whose component is
# missing fails instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."

export GOMAGNUM_REQUIRE_REAL=${GOMAGNUM_REQUIRE_REAL:-1}
export GOMAGNUM_STATE=${GOMAGNUM_STATE:-$PWD/.state}
export GOMAGNUM_HEAT_STATE=${GOMAGNUM_HEAT_STATE:-$GOMAGNUM_STATE/heat}
export GOMAGNUM_BARBICAN_STATE=${GOMAGNUM_BARBICAN_STATE:-$GOMAGNUM_STATE/barbican}
mkdir -p "$GOMAGNUM_STATE"

step() { printf '\n== %s (%ss)\n' "$*" "$SECONDS" >&2; }

packages=(
	postgresql
	heat-common curl jq ca-certificates
	python3-keystone uwsgi-core uwsgi-plugin-python3
	python3-barbican
	python3-openstackclient python3-magnumclient
	shellcheck openssl
	chromium
)

install_packages() {
	local missing=()
	for p in "${packages[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return
	step "installing ${#missing[@]} Debian packages"
	# Keep the packages' own daemons from starting on their default ports.
	local policy=/usr/sbin/policy-rc.d created=
	if [ ! -e $policy ]; then
		printf '#!/bin/sh\nexit 101\n' >$policy && chmod +x $policy && created=1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	[ -n "$created" ] && rm -f $policy
	return 0
}

load_env() { set -a; . "$1"; set +a; }

install_packages
step "starting PostgreSQL"
scripts/postgres.sh start >/dev/null
load_env "$GOMAGNUM_STATE/postgres.env"
step "starting Heat (noauth and Keystone)"
scripts/heat.sh start all >/dev/null
load_env "$GOMAGNUM_HEAT_STATE/env"
step "starting Barbican"
scripts/barbican.sh start >/dev/null
load_env "$GOMAGNUM_BARBICAN_STATE/env"

step "go vet"
go vet ./...
step "go test -race"
go test -race -timeout 45m "${@:-./...}"
step "done"
