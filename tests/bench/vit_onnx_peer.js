// ONNX Runtime peer (CPU build of onnxruntime-node) for vit_onnx_compare.py: times the
// exported vit_b_16 like bench_vit times Meridian (one warm-up call, then the median of
// RUNS calls), or each block product alone.
//
//   node tests/bench/vit_onnx_peer.js DIR model RUNS BATCHES THREADS
//     -> "RESULT fp32 <batch> <median wall ms> <median process cpu ms>"
//   node tests/bench/vit_onnx_peer.js DIR gemm RUNS ROWS THREADS
//     -> "GEMM <name> <rows> <k> <n> <GFLOP/s>"
// Session: intra-op threads = THREADS, one inter-op thread, all graph optimisations
// (ONNX Runtime's default level for this API is already "all").
'use strict';
const path = require('path');

const [dir, mode, runsText, listText, threadsText] = process.argv.slice(2);
const ort = require(path.resolve(dir, 'node_modules', 'onnxruntime-node'));
const runs = Math.max(1, parseInt(runsText, 10));
const options = {intraOpNumThreads: parseInt(threadsText, 10), interOpNumThreads: 1, graphOptimizationLevel: 'all',
                 executionMode: 'sequential'};
const linears = [['qkv', 768, 2304], ['proj', 768, 768], ['fc1', 768, 3072], ['fc2', 3072, 768]];

function cpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

// Median wall and CPU ms of `runs` calls after one warm-up call.
async function time(work) {
  await work();
  const wall = [], cpu = [];
  for (let i = 0; i < runs; ++i) {
    const c0 = cpuMs(), t0 = process.hrtime.bigint();
    await work();
    wall.push(Number(process.hrtime.bigint() - t0) / 1e6);
    cpu.push(cpuMs() - c0);
  }
  const median = (v) => v.sort((a, b) => a - b)[Math.floor(runs / 2)];
  return [median(wall), median(cpu)];
}

function filled(count, seed) {
  const data = new Float32Array(count);
  let s = seed;
  for (let i = 0; i < count; ++i) {
    s = (s * 1103515245 + 12345) % 2147483648;
    data[i] = s / 2147483648 - 0.5;
  }
  return data;
}

(async () => {
  if (mode === 'model') {
    const session = await ort.InferenceSession.create(path.join(dir, 'vit_b_16.onnx'), options);
    for (const batch of listText.split(',').map(Number)) {
      const pixels = new ort.Tensor('float32', filled(batch * 3 * 224 * 224, 1), [batch, 3, 224, 224]);
      const [wall, cpu] = await time(() => session.run({pixels}));
      console.log(`RESULT fp32 ${batch} ${wall.toFixed(3)} ${cpu.toFixed(3)}`);
    }
  } else if (mode === 'gemm') {
    const rows = parseInt(listText, 10);
    for (const [name, k, n] of linears) {
      const session = await ort.InferenceSession.create(path.join(dir, `linear_${name}.onnx`), options);
      const x = new ort.Tensor('float32', filled(rows * k, 2), [rows, k]);
      const [wall] = await time(() => session.run({x}));
      console.log(`GEMM ${name} ${rows} ${k} ${n} ${(2 * rows * k * n / wall / 1e6).toFixed(1)}`);
    }
  } else {
    throw new Error(`unknown mode ${mode}: model or gemm`);
  }
})().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
