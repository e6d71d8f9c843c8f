#!/bin/sh
# Instructions per solve of a `cellsim bench` case, exact and repeatable on a noisy machine:
# (instructions of a run with R2 repetitions − those with R1) / (R2 − R1), so start-up, model
# building and the warm-up solve cancel out. Needs valgrind and a release build. Swift's hashing is
# seeded per process (dictionary and set orders, and so some work, vary by ±2 % of a small case):
# SWIFT_DETERMINISTIC_HASHING=1 makes the counts repeatable to ~0.1 %.
#   Benchmarks/tools/instructions-per-solve.sh spm-1c            # R1 = 3, R2 = 13
#   Benchmarks/tools/instructions-per-solve.sh sweep-1000 1 2    # per sweep of 1000 solves
set -eu
case_name=$1
r1=${2:-3}
r2=${3:-13}
binary=${CELLSIM:-.build/release/cellsim}
count() {
  SWIFT_DETERMINISTIC_HASHING=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null "$binary" bench --case "$case_name" --repeat "$1" 2>&1 \
    | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
a=$(count "$r1")
b=$(count "$r2")
echo "$case_name: $(( (b - a) / (r2 - r1) )) instructions per solve"
