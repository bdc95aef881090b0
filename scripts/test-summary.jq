# test-summary.jq: the failing tests of a `go test -json` stream, for the
# summary of scripts/test.sh:
#   jq -rn --argjson max 5 --argjson lines 7 -f scripts/test-summary.jq go-test.json
# For each failing test (the innermost one when subtests fail) and each
# package that failed outside its tests (a build error, a panic, a
# timeout): a "--- FAIL <package> <test>" line and the first $lines lines
# of its output; at most $max of them, then how many more failed.

# key: the package and test an event is about.
def key: "\(.Package) \(.Test // "(outside its tests)")";

# noise: the lines of go test's own framing, which say nothing a summary
# needs.
def noise: test("^(=== (RUN|PAUSE|CONT|NAME)|\\s*--- (FAIL|PASS|SKIP)|PASS$|FAIL$|ok  |FAIL\t)");

# leaf($failed): the key of a failure none of $failed is inside (a subtest
# of the test, or a test of the package).
def leaf($failed):
	. as $k
	| (if endswith(")") then sub(" [(].*"; " ") else . + "/" end) as $inside
	| all($failed[]; . == $k or (startswith($inside) | not));

reduce (inputs | select(.Package != null or .ImportPath != null)) as $e ({out: {}, failed: []};
	# Build output names the test binary: "pkg [pkg.test]".
	($e | if .Action == "build-output" then {Package: (.ImportPath | sub(" .*"; ""))} else . end | key) as $k
	| if ($e.Action == "output" or $e.Action == "build-output") and ($e.Output | noise | not)
		and ((.out[$k] // []) | length) < $lines
	then .out[$k] += [$e.Output | rtrimstr("\n") | .[0:160]]
	elif $e.Action == "fail" then .failed += [$e | key]
	else . end)
| .out as $out
| (.failed | unique) as $failed
| [$failed[] | select(leaf($failed))] as $leaves
| ($leaves[:$max][] | "--- FAIL \(.)", (($out[.] // ["(no output)"])[] | "    " + ltrimstr("    "))),
	(if ($leaves | length) > $max then "... and \(($leaves | length) - $max) more failing" else empty end)
