/**
 * Unbundling: what should be one bill, billed as several on the same day by the same provider for the
 * same patient — the components of a lab panel billed apart (or beside the panel itself, so paid
 * twice), and one encounter split into several claims.
 */
import { LAB_PANELS, type LabPanel } from './codes';
import { codeOverlap, describeCode, SAME_SERVICES_OVERLAP, submittedBefore, type ClaimFacts } from './facts';
import type { ClaimFlag } from './types';

interface BilledCode {
  readonly claimId: string;
  readonly code: string;
  readonly display: string;
}

function billedCodes(claims: readonly ClaimFacts[]): BilledCode[] {
  return claims.flatMap((facts) =>
    facts.lines
      .filter((line) => !line.diagnosis)
      .map((line) => ({ claimId: facts.id, code: line.code, display: line.display })),
  );
}

const codeKey = (panel: LabPanel, code: string): string => `${panel.system}|${code}`;

/** Each panel's codes and component codes as `system|code` keys, built once. */
const PANEL_KEYS = LAB_PANELS.map((panel) => ({
  panel,
  componentKeys: new Set([...panel.required, ...panel.optional].map((code) => codeKey(panel, code))),
  panelKeys: new Set(panel.codes.map((code) => codeKey(panel, code))),
}));

function names(billed: readonly BilledCode[]): string {
  const seen = new Map(billed.map((b) => [b.code, describeCode(b.code, b.display)]));
  return [...seen.values()].join(', ');
}

function claimList(ids: readonly string[]): string {
  const unique = [...new Set(ids)];
  return unique.length === 1 ? `claim ${unique[0]}` : `claims ${unique.join(', ')}`;
}

/** The panel rule's findings and the model's input for one claim. */
export interface PanelCheck {
  readonly flags: ClaimFlag[];
  /** Lines of this claim that are components of a panel unbundled that day. */
  readonly unbundledComponents: number;
}

/** Whether every required component of `inner` is one of `outer` (a basic panel inside a comprehensive one). */
function within(inner: LabPanel, outer: LabPanel): boolean {
  return (
    inner !== outer && inner.system === outer.system && inner.required.every((code) => outer.required.includes(code))
  );
}

/**
 * Looks for lab panels unbundled on the claim's day: every required component billed without the
 * panel code, or the panel billed together with any of its components. Flags the claims carrying
 * the components, once per unbundling: a panel inside a larger flagged one (basic metabolic inside
 * comprehensive) is not reported again.
 *
 * @param facts - the claim under review
 * @param sameDay - the claims of the same patient, provider and day (this one included)
 */
export function checkPanels(facts: ClaimFacts, sameDay: readonly ClaimFacts[]): PanelCheck {
  const findings: { panel: LabPanel; flag: ClaimFlag; own: string[] }[] = [];
  const own = new Set(facts.lines.filter((line) => !line.diagnosis).map((line) => line.code));
  const billed = billedCodes(sameDay);
  for (const { panel, componentKeys, panelKeys } of PANEL_KEYS) {
    const ownComponents = [...own].filter((code) => componentKeys.has(code));
    if (ownComponents.length === 0) continue;
    const panelLines = billed.filter((b) => panelKeys.has(b.code));
    const componentLines = billed.filter((b) => componentKeys.has(b.code));
    const panelName = describeCode(codeKey(panel, panel.codes[0]!), panel.display);
    if (panelLines.length > 0) {
      findings.push({
        panel,
        own: ownComponents,
        flag: {
          kind: 'unbundled-panel',
          severity: 'high',
          claimIds: [
            facts.id,
            ...new Set([...panelLines, ...componentLines].map((b) => b.claimId).filter((id) => id !== facts.id)),
          ],
          codes: [...new Set([...panelLines, ...componentLines].map((b) => b.code))],
          message: `On ${facts.day} the provider billed the ${panelName} (${claimList(panelLines.map((b) => b.claimId))}) and also its component${
            componentLines.length === 1 ? '' : 's'
          } ${names(componentLines)} (${claimList(componentLines.map((b) => b.claimId))}), so these tests are paid twice (${panel.source}).`,
        },
      });
      continue;
    }
    const present = new Set(componentLines.map((b) => b.code));
    if (!panel.required.every((code) => present.has(codeKey(panel, code)))) continue;
    findings.push({
      panel,
      own: ownComponents,
      flag: {
        kind: 'unbundled-panel',
        severity: 'medium',
        claimIds: [facts.id, ...new Set(componentLines.map((b) => b.claimId).filter((id) => id !== facts.id))],
        codes: [...present],
        message: `On ${facts.day} the provider billed all ${panel.required.length} components of the ${panelName} separately (${names(componentLines)}; ${claimList(
          componentLines.map((b) => b.claimId),
        )}) instead of the panel (${panel.source}).`,
      },
    });
  }
  const kept = findings.filter((finding) => !findings.some((other) => within(finding.panel, other.panel)));
  return {
    flags: kept.map((finding) => finding.flag),
    unbundledComponents: new Set(kept.flatMap((finding) => finding.own)).size,
  };
}

/** The split-encounter rule's findings and the model's inputs for one claim. */
export interface SplitCheck {
  readonly flags: ClaimFlag[];
  /** Other claims of the same type, patient, provider and day (claims for other prescriptions and copies of this one left out). */
  readonly sameDayClaims: number;
  /** Of those, the ones submitted earlier that name an encounter this claim names too. */
  readonly sharedEncounterClaims: number;
}

/**
 * Looks for one encounter billed in several claims: a claim of the same type, patient, provider and
 * day as claims submitted before it, naming the same encounter (medium) or, like them, no encounter at
 * all (low). As with duplicates, the first claim of an encounter is not flagged; the ones billing it
 * again are, naming it. Claims for different prescriptions are separate services, claims naming
 * different encounters say they are separate visits, and claims billing the same services are
 * duplicates (`duplicates.ts`), not parts of one visit.
 *
 * @param facts - the claim under review
 * @param sameDay - the claims of the same patient, provider and day (this one included)
 */
export function checkSplit(facts: ClaimFacts, sameDay: readonly ClaimFacts[]): SplitCheck {
  const others = sameDay.filter(
    (other) =>
      other.position !== facts.position &&
      other.type === facts.type &&
      !(other.prescription && facts.prescription && other.prescription !== facts.prescription) &&
      codeOverlap(other, facts) < SAME_SERVICES_OVERLAP,
  );
  const earlier = others.filter((other) => submittedBefore(other, facts));
  const shared = earlier.filter((other) => other.encounters.some((e) => facts.encounters.includes(e)));
  const unnamed = facts.encounters.length === 0 ? earlier.filter((other) => other.encounters.length === 0) : [];
  const flags: ClaimFlag[] = [];
  const codes = [...new Set(facts.lines.filter((line) => !line.diagnosis).map((line) => line.code))];
  const type = facts.type ? `${facts.type} ` : '';
  if (shared.length > 0) {
    const encounter = facts.encounters.find((e) => shared.some((other) => other.encounters.includes(e)));
    flags.push({
      kind: 'split-encounter',
      severity: 'medium',
      claimIds: [facts.id, ...shared.map((other) => other.id)],
      codes,
      message: `Encounter ${encounter} was already billed by the same provider on ${facts.day} in ${claimList(
        shared.map((other) => other.id),
      )}, and this ${type}claim bills it again with other services: one encounter is normally one claim.`,
    });
  } else if (unnamed.length > 0) {
    flags.push({
      kind: 'split-encounter',
      severity: 'low',
      claimIds: [facts.id, ...unnamed.map((other) => other.id)],
      codes,
      message: `The same provider already billed this patient for ${facts.day} in ${claimList(
        unnamed.map((other) => other.id),
      )}, and this ${type}claim, like ${unnamed.length === 1 ? 'that one' : 'those'}, names no encounter: one visit may have been split into several claims.`,
    });
  }
  return { flags, sameDayClaims: others.length, sharedEncounterClaims: shared.length };
}
