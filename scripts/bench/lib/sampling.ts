/**
 * Repeatable timings for benches: an operation too short to time on its own is repeated inside one
 * timed sample until the sample lasts at least `minSampleMs`, the sample's time is divided by the
 * repetition count, and the figure is the median of `samples` such samples taken after warm-up.
 * Several operations measured together are interleaved sample by sample, so that figures compared
 * with each other see the same machine load, and a ratio between two of them can be taken pair by pair.
 *
 * Each sample is timed on two clocks: wall-clock time, and the CPU time of this thread. A sample
 * during which this thread was off the CPU for a noticeable share of the wall-clock time (other
 * processes held the cores) is retaken. With `clock: 'cpu'` the figures are CPU time, which time
 * spent waiting for the CPU does not inflate: the right clock for an operation that runs entirely on
 * this thread (compute in JS or single-threaded wasm) on a machine shared with other work. It leaves
 * out what V8 does on its helper threads (concurrent garbage collection), and an operation that
 * waits on I/O or other processes needs `clock: 'wall'`.
 *
 * Lives in `lib/` so that `scripts/bench/index.ts` (which runs every `scripts/bench/*.ts`) does not
 * take it for a bench.
 */
import { performance } from 'node:perf_hooks';

/** One operation; a returned promise is awaited. */
export type Operation = () => unknown;

/** Options of {@link measure}. */
export interface SamplingOptions {
  /** Shortest duration of one timed sample, ms. */
  minSampleMs: number;
  /** Samples kept per operation (odd, so the median is one of them). */
  samples: number;
  /** Samples run and discarded per operation before the kept ones, after calibration. */
  warmupSamples: number;
  /**
   * A sample during which this thread was on a CPU for less than this share of the wall-clock time
   * (other processes had the cores) is retaken, up to `maxAttempts` times in all.
   */
  minCpuShare: number;
  /** Attempts per kept sample; the last attempt is kept even when contended (and counted). */
  maxAttempts: number;
  /** The clock of the figures (and of `minSampleMs`): this thread's CPU time, or wall-clock time. */
  clock: 'cpu' | 'wall';
}

/** Per-operation time of one measured operation. */
export interface Measurement {
  /** Median over the samples of (sample time / repsPerSample) on the chosen clock, ms. */
  medianMs: number;
  /** Repetitions of the operation inside each timed sample. */
  repsPerSample: number;
  /** Each sample's time on the chosen clock divided by repsPerSample, ms, in the order taken. */
  samplesMs: number[];
  /** Slowest sample / fastest sample. */
  maxOverMin: number;
  /** Interquartile range of the samples / their median. */
  iqrOverMedian: number;
  /** With `clock: 'cpu'`: the wall-clock median per operation and each sample's, ms. */
  wallMedianMs?: number;
  wallSamplesMs?: number[];
  /** With `clock: 'wall'`: this thread's CPU-time median per operation and each sample's, ms. */
  cpuMedianMs?: number;
  cpuSamplesMs?: number[];
  /** Lowest CPU share (thread CPU time / wall-clock time) among the kept samples. */
  minCpuShare: number;
  /** Samples retaken because this thread had the CPU for less than `minCpuShare` of them. */
  retakenSamples: number;
  /** Kept samples that were still contended after `maxAttempts` attempts. */
  contendedSamples: number;
}

/** Defaults: wall clock, ≥ 250 ms per sample, 11 kept samples after one discarded, retaken below 95 % CPU share. */
export const DEFAULT_SAMPLING: SamplingOptions = {
  minSampleMs: 250,
  samples: 11,
  warmupSamples: 1,
  minCpuShare: 0.95,
  maxAttempts: 3,
  clock: 'wall',
};

/** Median (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Quantile by linear interpolation between closest ranks. */
function quantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}

/** Rounds to `digits` significant digits, for readable JSON. */
export function round(value: number, digits = 4): number {
  return Number(value.toPrecision(digits));
}

/** Median, spread and the samples themselves, rounded for the JSON report. */
function summarise(samples: readonly number[]): {
  medianMs: number;
  samplesMs: number[];
  maxOverMin: number;
  iqrOverMedian: number;
} {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = median(sorted);
  return {
    medianMs: round(mid),
    samplesMs: samples.map((value) => round(value)),
    maxOverMin: round(sorted.at(-1)! / sorted[0]!, 3),
    iqrOverMedian: round((quantile(sorted, 0.75) - quantile(sorted, 0.25)) / mid, 3),
  };
}

/** This thread's CPU time (Node ≥ 22.19 / 23.9), else the whole process's. */
const threadCpuUsage: (previous?: NodeJS.CpuUsage) => NodeJS.CpuUsage =
  typeof process.threadCpuUsage === 'function' ? process.threadCpuUsage.bind(process) : process.cpuUsage.bind(process);

/** Runs `operation` `reps` times back to back; returns the elapsed wall-clock ms and this thread's CPU ms. */
async function timeReps(operation: Operation, reps: number): Promise<{ wallMs: number; cpuMs: number }> {
  const cpuStart = threadCpuUsage();
  const start = performance.now();
  for (let i = 0; i < reps; i += 1) {
    const result = operation();
    if (result instanceof Promise) await result;
  }
  const wallMs = performance.now() - start;
  const cpu = threadCpuUsage(cpuStart);
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/**
 * Finds how many repetitions make one sample last at least `minSampleMs` on `clock` (this also warms
 * the operation up): grows the count until a run of them takes that long, then adds 10 % headroom.
 */
async function calibrate(operation: Operation, minSampleMs: number, clock: 'cpu' | 'wall'): Promise<number> {
  let reps = 1;
  for (;;) {
    const sample = await timeReps(operation, reps);
    const elapsed = clock === 'cpu' ? sample.cpuMs : sample.wallMs;
    if (elapsed >= minSampleMs) return reps;
    const next = elapsed <= 0 ? reps * 10 : Math.ceil((reps * minSampleMs * 1.1) / elapsed);
    reps = Math.min(Math.max(next, reps + 1), reps * 10);
  }
}

/**
 * Measures each operation as described in the module comment; operations are calibrated one after
 * another, then sampled round-robin (one sample of each per round).
 *
 * @param operations - named operations
 * @param options - sample duration and counts
 */
export async function measure<K extends string>(
  operations: Record<K, Operation>,
  options: SamplingOptions = DEFAULT_SAMPLING,
): Promise<Record<K, Measurement>> {
  const names = Object.keys(operations) as K[];
  const reps = {} as Record<K, number>;
  for (const name of names) reps[name] = await calibrate(operations[name], options.minSampleMs, options.clock);
  const kept = Object.fromEntries(
    names.map((name) => [name, { wall: [] as number[], cpu: [] as number[], retaken: 0, contended: 0 }]),
  ) as Record<K, { wall: number[]; cpu: number[]; retaken: number; contended: number }>;
  for (let pass = 0; pass < options.warmupSamples + options.samples; pass += 1) {
    for (const name of names) {
      let sample = await timeReps(operations[name], reps[name]);
      for (
        let attempt = 1;
        sample.cpuMs < options.minCpuShare * sample.wallMs && attempt < options.maxAttempts;
        attempt += 1
      ) {
        kept[name].retaken += 1;
        sample = await timeReps(operations[name], reps[name]);
      }
      if (pass < options.warmupSamples) continue;
      if (sample.cpuMs < options.minCpuShare * sample.wallMs) kept[name].contended += 1;
      kept[name].wall.push(sample.wallMs / reps[name]);
      kept[name].cpu.push(sample.cpuMs / reps[name]);
    }
  }
  return Object.fromEntries(
    names.map((name) => {
      const { wall, cpu, retaken, contended } = kept[name];
      const chosen = options.clock === 'cpu' ? cpu : wall;
      const otherClock =
        options.clock === 'cpu'
          ? { wallMedianMs: round(median(wall)), wallSamplesMs: wall.map((value) => round(value)) }
          : { cpuMedianMs: round(median(cpu)), cpuSamplesMs: cpu.map((value) => round(value)) };
      const measurement: Measurement = {
        ...summarise(chosen),
        repsPerSample: reps[name],
        ...otherClock,
        minCpuShare: round(Math.min(...cpu.map((c, i) => c / wall[i]!)), 3),
        retakenSamples: retaken,
        contendedSamples: contended,
      };
      return [name, measurement];
    }),
  ) as Record<K, Measurement>;
}

/** Ratio of two interleaved measurements taken sample by sample (same round, same machine load). */
export interface PairedRatio {
  /** Median of the per-round ratios. */
  median: number;
  /** Per-round ratios, in the order taken. */
  samples: number[];
  /** Largest / smallest per-round ratio. */
  maxOverMin: number;
  /** Interquartile range of the per-round ratios / their median. */
  iqrOverMedian: number;
}

/**
 * Per-round ratio `numerator / denominator` of two measurements from the same {@link measure} call.
 *
 * @param numerator - e.g. the slower implementation
 * @param denominator - e.g. the baseline
 */
export function pairedRatio(numerator: Measurement, denominator: Measurement): PairedRatio {
  const ratios = numerator.samplesMs.map((value, i) => value / denominator.samplesMs[i]!);
  const summary = summarise(ratios);
  return {
    median: summary.medianMs,
    samples: summary.samplesMs,
    maxOverMin: summary.maxOverMin,
    iqrOverMedian: summary.iqrOverMedian,
  };
}
