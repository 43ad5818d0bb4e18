import type {
  AllergyIntolerance,
  CarePlan,
  Condition,
  DiagnosticReport,
  DocumentReference,
  Dosage,
  Encounter,
  Immunization,
  MedicationRequest,
  MedicationStatement,
  Observation,
  Patient,
  Procedure,
  Resource,
} from '@medplum/fhirtypes';
import type { ReactNode } from 'react';

import { clinicalDate, resourceTitle } from '../../lib/fhir/display';
import { conceptText, formatDate, quantityText } from './format';
import { ObservationValue } from './observation-value';

export { clinicalDate, resourceTitle };

function Fact({ label, children }: { label: string; children: ReactNode }) {
  if (children === undefined || children === null || children === '' || children === '—') return null;
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}

function Facts({ children }: { children: ReactNode }) {
  return <dl className="facts">{children}</dl>;
}

function dosageText(dosage: Dosage[] | undefined): string | undefined {
  const first = dosage?.[0];
  if (!first) return undefined;
  if (first.text) return first.text;
  const dose = first.doseAndRate?.[0]?.doseQuantity;
  const timing = first.timing?.repeat;
  const parts = [
    dose ? quantityText(dose) : undefined,
    timing?.frequency && timing.period
      ? `${timing.frequency}× per ${timing.period} ${timing.periodUnit ?? ''}`.trim()
      : undefined,
    first.route ? conceptText(first.route) : undefined,
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : undefined;
}

function statusOf(concept: { coding?: { code?: string }[]; text?: string } | undefined): string | undefined {
  return concept?.text ?? concept?.coding?.[0]?.code;
}

function ObservationFacts({ observation }: { observation: Observation }) {
  return (
    <>
      <ObservationValue observation={observation} />
      <Facts>
        <Fact label="Measured">{formatDate(clinicalDate(observation))}</Fact>
        <Fact label="Status">{observation.status !== 'final' ? observation.status : undefined}</Fact>
        <Fact label="Method">{observation.method ? conceptText(observation.method) : undefined}</Fact>
        <Fact label="Note">{observation.note?.map((note) => note.text).join(' ')}</Fact>
      </Facts>
    </>
  );
}

function ConditionFacts({ condition }: { condition: Condition }) {
  return (
    <Facts>
      <Fact label="Clinical status">{statusOf(condition.clinicalStatus)}</Fact>
      <Fact label="Verification">{statusOf(condition.verificationStatus)}</Fact>
      <Fact label="Onset">
        {formatDate(condition.onsetDateTime ?? condition.onsetPeriod?.start ?? condition.onsetString)}
      </Fact>
      <Fact label="Resolved">{condition.abatementDateTime ? formatDate(condition.abatementDateTime) : undefined}</Fact>
      <Fact label="Severity">{condition.severity ? conceptText(condition.severity) : undefined}</Fact>
      <Fact label="Note">{condition.note?.map((note) => note.text).join(' ')}</Fact>
    </Facts>
  );
}

function MedicationFacts({ medication }: { medication: MedicationRequest | MedicationStatement }) {
  const isRequest = medication.resourceType === 'MedicationRequest';
  const dosage = isRequest ? medication.dosageInstruction : medication.dosage;
  return (
    <Facts>
      <Fact label="Kind">{isRequest ? `Prescription (${medication.intent})` : 'Medication taken'}</Fact>
      <Fact label="Dose">{dosageText(dosage)}</Fact>
      <Fact label="Status">{medication.status}</Fact>
      <Fact label={isRequest ? 'Prescribed' : 'Since'}>
        {formatDate(
          isRequest ? medication.authoredOn : (medication.effectiveDateTime ?? medication.effectivePeriod?.start),
        )}
      </Fact>
      <Fact label="Reason">{medication.reasonCode?.map((reason) => conceptText(reason)).join(', ')}</Fact>
      <Fact label="Note">{medication.note?.map((note) => note.text).join(' ')}</Fact>
    </Facts>
  );
}

function AllergyFacts({ allergy }: { allergy: AllergyIntolerance }) {
  return (
    <Facts>
      <Fact label="Criticality">
        {allergy.criticality ? (
          <span className={allergy.criticality === 'high' ? 'flag-high' : undefined}>{allergy.criticality}</span>
        ) : undefined}
      </Fact>
      <Fact label="Reaction">
        {allergy.reaction
          ?.map(
            (reaction) =>
              reaction.manifestation.map((manifestation) => conceptText(manifestation)).join(', ') +
              (reaction.severity ? ` (${reaction.severity})` : ''),
          )
          .join('; ')}
      </Fact>
      <Fact label="Category">{allergy.category?.join(', ')}</Fact>
      <Fact label="Clinical status">{statusOf(allergy.clinicalStatus)}</Fact>
      <Fact label="Recorded">{allergy.recordedDate ? formatDate(allergy.recordedDate) : undefined}</Fact>
    </Facts>
  );
}

function ImmunizationFacts({ immunization }: { immunization: Immunization }) {
  return (
    <Facts>
      <Fact label="Given">{formatDate(immunization.occurrenceDateTime ?? immunization.occurrenceString)}</Fact>
      <Fact label="Status">{immunization.status !== 'completed' ? immunization.status : undefined}</Fact>
      <Fact label="Lot">{immunization.lotNumber}</Fact>
      <Fact label="Dose">{immunization.doseQuantity ? quantityText(immunization.doseQuantity) : undefined}</Fact>
      <Fact label="Site">{immunization.site ? conceptText(immunization.site) : undefined}</Fact>
    </Facts>
  );
}

function ProcedureFacts({ procedure }: { procedure: Procedure }) {
  return (
    <Facts>
      <Fact label="Performed">{formatDate(procedure.performedDateTime ?? procedure.performedPeriod?.start)}</Fact>
      <Fact label="Status">{procedure.status}</Fact>
      <Fact label="Body site">{procedure.bodySite?.map((site) => conceptText(site)).join(', ')}</Fact>
      <Fact label="Outcome">{procedure.outcome ? conceptText(procedure.outcome) : undefined}</Fact>
    </Facts>
  );
}

function ReportFacts({ report }: { report: DiagnosticReport }) {
  return (
    <Facts>
      <Fact label="Date">{formatDate(clinicalDate(report))}</Fact>
      <Fact label="Status">{report.status}</Fact>
      <Fact label="Conclusion">{report.conclusion}</Fact>
      <Fact label="Coded conclusion">{report.conclusionCode?.map((code) => conceptText(code)).join(', ')}</Fact>
      <Fact label="Results">{report.result?.length ? `${report.result.length} linked result(s)` : undefined}</Fact>
    </Facts>
  );
}

function EncounterFacts({ encounter }: { encounter: Encounter }) {
  return (
    <Facts>
      <Fact label="When">{formatDate(encounter.period?.start)}</Fact>
      <Fact label="Ended">{encounter.period?.end ? formatDate(encounter.period.end) : undefined}</Fact>
      <Fact label="Status">{encounter.status}</Fact>
      <Fact label="Reason">{encounter.reasonCode?.map((reason) => conceptText(reason)).join(', ')}</Fact>
    </Facts>
  );
}

function PatientFacts({ patient }: { patient: Patient }) {
  const name = patient.name?.[0];
  return (
    <Facts>
      <Fact label="Name">{name?.text ?? [name?.given?.join(' '), name?.family].filter(Boolean).join(' ')}</Fact>
      <Fact label="Born">{patient.birthDate ? formatDate(patient.birthDate) : undefined}</Fact>
      <Fact label="Sex">{patient.gender}</Fact>
    </Facts>
  );
}

function CarePlanFacts({ plan }: { plan: CarePlan }) {
  return (
    <Facts>
      <Fact label="Status">{plan.status}</Fact>
      <Fact label="Period">{plan.period?.start ? formatDate(plan.period.start) : undefined}</Fact>
      <Fact label="Description">{plan.description}</Fact>
      <Fact label="Activities">{plan.activity?.length ? `${plan.activity.length}` : undefined}</Fact>
    </Facts>
  );
}

function DocumentFacts({ document }: { document: DocumentReference }) {
  return (
    <Facts>
      <Fact label="Type">{document.type ? conceptText(document.type) : undefined}</Fact>
      <Fact label="Date">{formatDate(document.date)}</Fact>
      <Fact label="Description">{document.description}</Fact>
    </Facts>
  );
}

/** The clinical body of any FHIR resource; types without a dedicated view show their JSON, never nothing. */
export function ResourceBody({ resource }: { resource: Resource }) {
  switch (resource.resourceType) {
    case 'Observation':
      return <ObservationFacts observation={resource} />;
    case 'Condition':
      return <ConditionFacts condition={resource} />;
    case 'MedicationRequest':
    case 'MedicationStatement':
      return <MedicationFacts medication={resource} />;
    case 'AllergyIntolerance':
      return <AllergyFacts allergy={resource} />;
    case 'Immunization':
      return <ImmunizationFacts immunization={resource} />;
    case 'Procedure':
      return <ProcedureFacts procedure={resource} />;
    case 'DiagnosticReport':
      return <ReportFacts report={resource} />;
    case 'Encounter':
      return <EncounterFacts encounter={resource} />;
    case 'Patient':
      return <PatientFacts patient={resource} />;
    case 'CarePlan':
      return <CarePlanFacts plan={resource} />;
    case 'DocumentReference':
      return <DocumentFacts document={resource} />;
    default:
      return <pre className="fhir-json">{JSON.stringify(resource, null, 2)}</pre>;
  }
}

/** Resource types {@link ResourceBody} renders as more than raw JSON. */
export const RENDERED_TYPES: ReadonlySet<string> = new Set([
  'Observation',
  'Condition',
  'MedicationRequest',
  'MedicationStatement',
  'AllergyIntolerance',
  'Immunization',
  'Procedure',
  'DiagnosticReport',
  'Encounter',
  'Patient',
  'CarePlan',
  'DocumentReference',
]);
