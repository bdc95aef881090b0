#!/usr/bin/env bash
# test.sh: run every gomagnum test against the real components it needs,
# installing (Debian 12 bookworm packages) and starting them first. Works on
# a fresh Debian machine as root; on a machine that has them, it only starts
# them.
#
#   scripts/test.sh                 all checks and tests (what CI runs)
#   scripts/test.sh ./magnum/...    the same, testing only some packages
#   scripts/test.sh status          the state of each component; exit 0 if all are up
#   scripts/test.sh stop            stop every component (their state is kept)
#
# Components: PostgreSQL (scripts/postgres.sh), a real Heat in noauth mode and
# one behind a real Keystone (scripts/heat.sh), Barbican (scripts/barbican.sh),
# a mini OpenStack (scripts/minicloud.sh: Keystone, Heat, Nova, Neutron, Cinder,
# Octavia, Glance on loopback).
# Each has a script scripts/<name>.sh with the commands start, stop and
# status, keeps its state in $GOMAGNUM_STATE/<name> and, once started, its
# environment variables for the tests in $GOMAGNUM_STATE/<name>/env, which
# this script sources. GOMAGNUM_STATE defaults to the repository's .state;
# status and stop find what a run started through it.
#
# Steps: install the Debian packages, start each component, shellcheck,
# go vet, go test -race of every package but ./e2e, then go test -race
# ./e2e. The mini OpenStack takes minutes to start and only ./e2e needs
# it: it starts in the background while the other steps run, and ./e2e
# waits for it. A failed install or start ends the run (the mini
# OpenStack's only fails it); the checks all run. The run ends with a summary: the time and outcome of each step
# and the first lines of each failing test. Logs: $GOMAGNUM_STATE/test/
# (<step>.log for each step; go-test.json and go-test.log, go-test-e2e.json
# and go-test-e2e.log for the tests).
#
# With GOMAGNUM_REQUIRE_REAL=1 (the default here) a test whose component is
# missing fails instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."

export GOMAGNUM_REQUIRE_REAL=${GOMAGNUM_REQUIRE_REAL:-1}
export GOMAGNUM_STATE=${GOMAGNUM_STATE:-$PWD/.state}

# The components, in the order they start (and the reverse of the order
# they stop): scripts/<name>.sh start|stop|status. The last, the mini
# OpenStack, starts in the background and only when ./e2e is tested.
components=(postgres heat barbican minicloud)

packages=(
	postgresql
	heat-common curl jq ca-certificates
	python3-keystone uwsgi-core uwsgi-plugin-python3
	python3-barbican
	python3-openstackclient python3-magnumclient
	shellcheck openssl
	chromium
)
mapfile -t -O ${#packages[@]} packages < <(scripts/minicloud.sh packages)

logs=$GOMAGNUM_STATE/test

# ---------------------------------------------------------------- steps

install_packages() {
	local p missing=()
	for p in "${packages[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		echo "all ${#packages[@]} Debian packages are installed"
		return 0
	fi
	echo "installing ${#missing[@]} Debian packages: ${missing[*]}"
	# Keep the packages' own daemons from starting on their default ports.
	local policy=/usr/sbin/policy-rc.d created='' rc=0
	if [ ! -e $policy ]; then
		printf '#!/bin/sh\nexit 101\n' >$policy && chmod +x $policy && created=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
		rc=$?
	if [ -n "$created" ]; then rm -f $policy; fi
	return "$rc"
}

go_vet() { go vet ./...; }

run_shellcheck() { shellcheck --severity=style scripts/*.sh; }

# go_test NAME PACKAGE...: go test -race, printing a line per package and
# the names of failing tests as it goes; the whole output is in NAME.json
# (go test -json) and NAME.log (as text).
go_test() {
	local rc=0 name=$1
	shift
	go test -json -race -timeout 45m "$@" | tee "$logs/$name.json" |
		jq --unbuffered -rj '
			select((.Action == "output" and (.Test == null or (.Output | test("^\\s*--- FAIL"))) and
				(.Output | test("^(PASS|FAIL)\n$") | not)) or .Action == "build-output") | .Output' ||
		rc=$?
	jq -rj 'select(.Action == "output" or .Action == "build-output") | .Output' "$logs/$name.json" >"$logs/$name.log"
	return "$rc"
}

# ---------------------------------------------------------------- the background start

bg_pid=''
bg_t0=0

# start_background C: scripts/C.sh start in the background, logging to
# the step's log.
start_background() {
	bg_t0=$SECONDS
	scripts/"$1".sh start >"$logs/$(slug "start $1").log" 2>&1 &
	bg_pid=$!
	printf '\n== start %s (in the background: %s)\n' "$1" "$logs/$(slug "start $1").log" >&2
}

# await_background C: wait for start_background C and record it as the
# step "start C", timed from its start.
await_background() {
	local rc=0 log
	log=$logs/$(slug "start $1").log
	wait "$bg_pid" || rc=$?
	printf '\n== start %s (waited for)\n' "$1" >&2
	tail -n 3 "$log" >&2
	record "start $1" "$bg_t0" "$rc"
	return "$rc"
}

# ---------------------------------------------------------------- running steps

step_names=()
step_times=()
step_results=()

# step NAME CMD...: run CMD as a step (in a subshell with set -e), its
# output on stderr and in $logs/<name>.log; record its time and outcome.
# Returns CMD's exit code.
step() {
	local name=$1 log rc t0=$SECONDS
	shift
	log=$logs/$(slug "$name").log
	printf '\n== %s\n' "$name" >&2
	set +e
	(
		set -e
		"$@"
	) 2>&1 | tee "$log" >&2
	rc=${PIPESTATUS[0]}
	set -e
	record "$name" "$t0" "$rc"
	return "$rc"
}

# record NAME T0 RC: a step's name, its time since T0 and its outcome, for
# the summary.
record() {
	step_names+=("$1")
	step_times+=($((SECONDS - $2)))
	if [ "$3" -eq 0 ]; then step_results+=(ok); else step_results+=(FAIL); fi
}

slug() { tr -c 'a-zA-Z0-9\n' - <<<"$1"; }

load_env() {
	local f=$GOMAGNUM_STATE/$1/env
	[ -f "$f" ] || return 0
	set -a
	# shellcheck disable=SC1090 # written by scripts/<component>.sh start
	. "$f"
	set +a
}

# run PATTERN...: every step; set-up steps stop the run when they fail,
# checks do not.
run() {
	local c failed=0 last=${components[-1]} e2e=github.com/gomagnum/gomagnum/e2e pkgs=() others=() p
	step "install Debian packages" install_packages || return 1
	for c in "${components[@]::${#components[@]}-1}"; do
		step "start $c" "scripts/$c.sh" start || return 1
		load_env "$c"
	done
	mapfile -t pkgs < <(go list "${@:-./...}")
	for p in "${pkgs[@]}"; do [ "$p" = $e2e ] || others+=("$p"); done
	if [ ${#others[@]} -lt ${#pkgs[@]} ]; then start_background "$last"; fi
	step "shellcheck" run_shellcheck || failed=1
	step "go vet" go_vet || failed=1
	if [ ${#others[@]} -gt 0 ]; then
		step "go test -race" go_test go-test "${others[@]}" || failed=1
	fi
	if [ ${#others[@]} -lt ${#pkgs[@]} ]; then
		await_background "$last" || failed=1
		load_env "$last"
		step "go test -race ./e2e" go_test go-test-e2e -parallel 4 ./e2e || failed=1
	fi
	return $failed
}

# ---------------------------------------------------------------- summary

duration() {
	if [ "$1" -ge 60 ]; then
		printf '%dm%02ds' $(($1 / 60)) $(($1 % 60))
	else
		printf '%ds' "$1"
	fi
}

# failing_tests: the first lines of each failing test (scripts/test-summary.jq).
failing_tests() {
	local f runs=()
	for f in "$logs"/go-test*.json; do [ -s "$f" ] && runs+=("$f"); done
	[ ${#runs[@]} -gt 0 ] || return 0
	jq -rn --argjson max 5 --argjson lines 7 -f scripts/test-summary.jq "${runs[@]}"
}

summary() {
	local total=$1 i
	printf '\n== summary: %s after %s (logs: %s)\n' "$2" "$(duration "$total")" "$logs" >&2
	for i in "${!step_names[@]}"; do
		printf '%8s  %-4s  %s\n' "$(duration "${step_times[i]}")" "${step_results[i]}" "${step_names[i]}" >&2
		if [ "${step_results[i]}" = FAIL ] && [[ ${step_names[i]} != "go test -race"* ]]; then
			tail -n 5 "$logs/$(slug "${step_names[i]}").log" | sed 's/^/          | /' >&2
		fi
	done
	failing_tests >&2
}

# ---------------------------------------------------------------- commands

# each_component CMD [reverse]: scripts/<name>.sh CMD for each component,
# one line each; exit 1 if one fails.
each_component() {
	local list=("${components[@]}") rc=0 c out i
	if [ "${2:-}" = reverse ]; then
		list=()
		for ((i = ${#components[@]} - 1; i >= 0; i--)); do list+=("${components[i]}"); done
	fi
	echo "state: $GOMAGNUM_STATE"
	for c in "${list[@]}"; do
		if out=$("scripts/$c.sh" "$1" 2>&1); then :; else rc=1; fi
		printf '%-10s %s\n' "$c" "${out//$'\n'/; }"
	done
	return "$rc"
}

case ${1:-} in
status) each_component status ;;
stop) each_component stop reverse ;;
*)
	mkdir -p "$logs"
	rm -f "$logs"/*.log "$logs"/go-test*.json
	rc=0
	run "$@" || rc=$?
	if [ $rc -eq 0 ]; then result=PASS; else result=FAIL; fi
	summary "$SECONDS" $result
	exit $rc
	;;
esac
