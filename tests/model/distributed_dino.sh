#!/bin/bash
# Data-parallel DINO with c10d Gloo on loopback: two processes (RANK=0/1, WORLD_SIZE=2)
# train a tiny ViT 3 steps on different halves of each batch of real image tiles. Their
# weights must stay bit-identical (same SHA-256), and equal a single process that trains
# on the union batch, within float tolerance.
set -u
worker="$1"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export TMPDIR=$out  # the worker's scratch files land here and go with it
# A port the kernel just handed out (bound to port 0, then released): free unless another
# process takes it in between, so a failed rendezvous is retried on a fresh port.
free_port() { /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
for attempt in 1 2 3; do
  export MASTER_ADDR=127.0.0.1 MASTER_PORT=$(free_port)
  rm -f "$out"/dist*.safetensors
  WORLD_SIZE=2 RANK=0 timeout 120 "$worker" run "$out/dist" > "$out/rank0.txt" 2>&1 &
  pid0=$!
  WORLD_SIZE=2 RANK=1 timeout 120 "$worker" run "$out/dist-rank1" > "$out/rank1.txt" 2>&1 &
  pid1=$!
  wait $pid0; rc0=$?
  wait $pid1; rc1=$?
  cat "$out/rank0.txt" "$out/rank1.txt"
  [ $rc0 -eq 0 ] && [ $rc1 -eq 0 ] && break
  # Retry only a rendezvous that could not use its port; any other failure is the answer.
  grep -qiE "address already in use|EADDRINUSE|bind" "$out/rank0.txt" "$out/rank1.txt" || break
  echo "port $MASTER_PORT was taken; retrying on another (attempt $attempt)"
done
[ $rc0 -eq 0 ] && [ $rc1 -eq 0 ] || { echo "FAIL: a rank failed ($rc0, $rc1)"; exit 1; }
[ -f "$out/dist.safetensors" ] || { echo "FAIL: rank 0 wrote no checkpoint"; exit 1; }
[ ! -f "$out/dist-rank1.safetensors" ] || { echo "FAIL: rank 1 wrote a checkpoint (only rank 0 writes)"; exit 1; }
h0=$(grep '^sha256' "$out/rank0.txt"); h1=$(grep '^sha256' "$out/rank1.txt")
[ -n "$h0" ] && [ "$h0" = "$h1" ] || { echo "FAIL: replicas differ: '$h0' vs '$h1'"; exit 1; }
echo "replicas identical: $h0"
env -u WORLD_SIZE -u RANK -u MASTER_ADDR -u MASTER_PORT "$worker" run "$out/single" || { echo "FAIL: single run"; exit 1; }
"$worker" compare "$out/dist.safetensors" "$out/single.safetensors" 1e-4 || { cat "$out/dist.csv" "$out/single.csv"; echo "FAIL: distributed != single"; exit 1; }
cat "$out/dist.csv" "$out/single.csv"
echo PASS
