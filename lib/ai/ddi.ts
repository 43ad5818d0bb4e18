/**
 * Drug–drug interaction flags for a patient's active medications against the ONC high-priority list
 * (Phansalkar et al., JAMIA 2012), matched by RxNorm ingredient name.
 */
import type { Patient } from '@medplum/fhirtypes';

import oncDdi from './data/onc-ddi.json';
import { activeMedications, matchIngredients, type ActiveMedication, type ResourceSource } from './fhir';
import { assessmentInstant } from './features';

export interface InteractionSide {
  readonly ingredient: string;
  /** The medication resource (`MedicationRequest/…`) and its display. */
  readonly source: string;
  readonly display: string;
}

export interface InteractionFlag {
  readonly interactionId: number;
  readonly name: string;
  readonly object: InteractionSide;
  readonly precipitant: InteractionSide;
  readonly severity: 'high-priority';
  readonly message: string;
  readonly citation: string;
}

/** The list as shipped: title, citation, provenance and the 15 interactions. */
export const ONC_HIGH_PRIORITY_DDI = oncDdi;

function sides(medications: readonly ActiveMedication[], ingredients: readonly string[]): InteractionSide[] {
  return medications.flatMap((medication) =>
    matchIngredients(medication, ingredients).map((ingredient) => ({ ingredient, source: medication.source, display: medication.display })),
  );
}

/**
 * Flags every pair of active medications that forms an ONC high-priority interaction. A single
 * product containing both ingredients is not flagged against itself.
 *
 * @param medications - the patient's active medications (see `activeMedications`)
 */
export function interactionsAmong(medications: readonly ActiveMedication[]): InteractionFlag[] {
  const flags: InteractionFlag[] = [];
  const seen = new Set<string>();
  for (const interaction of oncDdi.interactions) {
    const objects = sides(medications, interaction.object.ingredients);
    const precipitants = sides(medications, interaction.precipitant.ingredients);
    for (const object of objects) {
      for (const precipitant of precipitants) {
        const key = `${interaction.id}|${object.source}|${object.ingredient}|${precipitant.source}|${precipitant.ingredient}`;
        if (object.source === precipitant.source || seen.has(key)) continue;
        seen.add(key);
        flags.push({
          interactionId: interaction.id,
          name: interaction.name,
          object,
          precipitant,
          severity: 'high-priority',
          message: `${object.display} (${object.ingredient}) with ${precipitant.display} (${precipitant.ingredient}): ONC high-priority interaction "${interaction.name}"; avoid concurrent use.`,
          citation: oncDdi.citation,
        });
      }
    }
  }
  return flags;
}

/**
 * Interaction flags for the medications active in a patient's record at a date.
 *
 * @param source - the patient's Bundle or resources
 * @param options - `at`: `YYYY-MM-DD` or Date, default now; `owner`: the patient's profile (see
 *   `activeMedications`)
 */
export function checkInteractions(
  source: ResourceSource,
  options: { at?: Date | string; owner?: Patient } = {},
): InteractionFlag[] {
  return interactionsAmong(activeMedications(source, assessmentInstant(options.at), options.owner));
}
