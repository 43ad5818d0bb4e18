/** Seeded pseudo-random numbers so training, folds and initialisation are reproducible bit for bit. */

/**
 * A mulberry32 generator: 32-bit state, uniform floats in [0, 1).
 *
 * @param seed - any 32-bit integer
 */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Fisher–Yates shuffle of a copy.
 *
 * @param items - the items to shuffle
 * @param random - source of uniform numbers in [0, 1)
 */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/**
 * A standard normal draw (Box–Muller), for weight initialisation.
 *
 * @param random - source of uniform numbers in [0, 1)
 */
export function normal(random: () => number): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}
