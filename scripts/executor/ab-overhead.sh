#!/bin/bash
# A/B of two checkouts on the executor's share of this machine's bound (issue 19): for each
# block, measure-overhead.js in checkout A, then in checkout B (alternating, so both see the
# same window), then the median share of each side, the median ratio of parallel and serial
# times, and the blocks with ceiling(2) >= 1.1 below 1.0x. Both checkouts must be built.
# Run: bash scripts/executor/ab-overhead.sh A_DIR B_DIR OUT_DIR block... (env: RUNS, default 7;
# SHARED, the shared fixtures folder, default none; SCHEDULER as measure-overhead.js)
A=$1; B=$2; out=$3; shift 3
mkdir -p $out; : > $out/A.jsonl; : > $out/B.jsonl
for blk in "$@"; do
  for side in A B; do
    repo=$A; [ $side = B ] && repo=$B
    (cd $repo && RUNS=${RUNS:-7} WARMUP=3 OUT=$out/one.jsonl STM_SHARED_FIXTURES=${SHARED:-/nonexistent} node dist/scripts/executor/measure-overhead.js $blk | sed -n 2p | sed "s/^/$side /")
    cat $out/one.jsonl >> $out/$side.jsonl
  done
done
node -e '
const fs=require("fs");const rd=f=>fs.readFileSync(f,"utf8").trim().split("\n").map(JSON.parse);
const A=rd(process.argv[1]),B=rd(process.argv[2]);const med=a=>{a=[...a].sort((x,y)=>x-y);return a[a.length>>1]};
console.log("median share A",med(A.map(r=>r.share)).toFixed(3),"B",med(B.map(r=>r.share)).toFixed(3));
console.log("median parallel B/A",med(A.map((r,i)=>B[i].parallelMs/r.parallelMs)).toFixed(3),"median serial B/A",med(A.map((r,i)=>B[i].serialMs/r.serialMs)).toFixed(3));
const bad=x=>x.filter(r=>r.ceiling2>=1.1&&r.speedup<1).map(r=>r.block);console.log("below 1.0x A",bad(A).join(" "),"| B",bad(B).join(" "));
console.log("all equal",A.every(r=>r.equal),B.every(r=>r.equal));
' $out/A.jsonl $out/B.jsonl
