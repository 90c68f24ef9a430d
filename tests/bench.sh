#!/bin/sh
# make bench: figures, not assertions.
#   buddy ops per second on a 10 M-op synthetic trace on numa4.yaml (with
#   and without the database), the frame table's bytes per simulated page
#   frame, and peak memory.
set -eu
builddir=$1
srcdir=$2
kmsim=$builddir/kmsim
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kmsim-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# 10,000,000 ops: 4,096 long-lived blocks, then 2.5 M rounds of two
# allocations (mixed order and mobility) and two frees, each allocation
# living 4,096 rounds.
cat > "$tmp/bench.yaml" <<'YAML'
kmsim-trace: 1
name: bench-10M
ops:
  - repeat: 4096
    ops:
      - {op: alloc_pages, id: "u${i}", order: "${i % 4}", gfp: GFP_KERNEL, cpu: "${i % 16}"}
      - {op: alloc_pages, id: "m${i}", order: 0, gfp: GFP_HIGHUSER_MOVABLE, cpu: "${i % 16}"}
  - repeat: 2495904
    ops:
      - {op: alloc_pages, id: "u${i + 4096}", order: "${i % 4}", gfp: GFP_KERNEL, cpu: "${i % 16}"}
      - {op: alloc_pages, id: "m${i + 4096}", order: 0, gfp: GFP_HIGHUSER_MOVABLE, cpu: "${i % 16}"}
      - {op: free_pages, id: "u${i}"}
      - {op: free_pages, id: "m${i}"}
YAML

json_num() {
	sed -n "s/^  \"$1\": \\([0-9.e+-]*\\),*$/\\1/p" "$2" | head -n 1
}

run() {
	label=$1
	shift
	"$kmsim" --config "$srcdir/configs/numa4.yaml" --trace "$tmp/bench.yaml" \
	    --quiet --json "$@" > "$tmp/out.json"
	events=$(json_num events "$tmp/out.json")
	wall=$(json_num wall_seconds "$tmp/out.json")
	rss=$(json_num max_rss_kb "$tmp/out.json")
	awk -v l="$label" -v e="$events" -v w="$wall" -v r="$rss" 'BEGIN {
		printf "%-28s %10d ops  %7.2f s  %6.2f M ops/s  peak RSS %.0f MiB\n",
		    l, e, w, e / w / 1e6, r / 1024 }'
}

echo "kmsim bench: 10 M-op synthetic trace on configs/numa4.yaml"
run "buddy, no database" --no-db
run "buddy, database" --db "$tmp/bench.db"
"$kmsim" --config "$srcdir/configs/numa4.yaml" --show-machine |
    sed -n 's/^frame table \(.*\)$/frame table: \1/p'
echo "bytes per simulated page frame: 16 (struct page_frame) + 1/512 (pageblock type)"
