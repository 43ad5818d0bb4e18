/** Seeded random inputs inside a model's validated ranges, for equivalence checks of graphs against equations. */
import type { ModelSpec } from '../lib/ai/catalog';

/**
 * Draws rows uniformly within every feature's validated range; indicators are 0 or 1.
 *
 * @param spec - the model whose feature ranges apply
 * @param count - how many rows
 * @param random - seeded source of uniform numbers in [0, 1)
 */
export function randomFraminghamInputs(spec: ModelSpec, count: number, random: () => number): Record<string, number>[] {
  return Array.from({ length: count }, () =>
    Object.fromEntries(
      spec.features.map((feature) => {
        const min = feature.min ?? 0;
        const max = feature.max ?? 1;
        const value = feature.unit === '1' ? (random() < 0.5 ? 0 : 1) : min + random() * (max - min);
        return [feature.name, value];
      }),
    ),
  );
}
