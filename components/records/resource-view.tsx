import type {
  AllergyIntolerance,
  CarePlan,
  CareTeam,
  Claim,
  ClaimResponse,
  CodeableConcept,
  Condition,
  Coverage,
  Device,
  DiagnosticReport,
  DocumentReference,
  Dosage,
  Encounter,
  ExplanationOfBenefit,
  Goal,
  ImagingStudy,
  Immunization,
  Location,
  Medication,
  MedicationAdministration,
  MedicationRequest,
  MedicationStatement,
  Money,
  Observation,
  Organization,
  Patient,
  Period,
  Practitioner,
  PractitionerRole,
  Procedure,
  Provenance,
  Reference,
  Resource,
  SupplyDelivery,
  Timing,
} from '@medplum/fhirtypes';
import { type ReactNode, useState } from 'react';

import {
  addressText,
  attachmentText,
  clinicalDate,
  CODE_SYSTEM_NAMES,
  codeIn,
  humanNameText,
  moneyText,
  narrativeText,
  periodText,
  referenceText,
  resourceTitle,
  telecomText,
} from '../../lib/fhir/display';
import { stringifyJson } from '../../lib/fhir/json';
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

/** Free text a clinician wrote (a note, a narrative), kept as lines, shown as text (never as HTML). */
function Note({ text, summary }: { text: string | undefined; summary: string }) {
  if (!text) return null;
  return (
    <details className="note">
      <summary>{summary}</summary>
      <p className="note-text">{text}</p>
    </details>
  );
}

/** Concepts as words, comma-separated; undefined when there are none. */
function concepts(list: (CodeableConcept | undefined)[] | undefined): string | undefined {
  const words = (list ?? []).map((concept) => conceptText(concept, '')).filter(Boolean);
  return words.length ? [...new Set(words)].join(', ') : undefined;
}

/** What references point at, by their display, comma-separated. */
function references(list: (Reference | undefined)[] | undefined): string | undefined {
  const names = (list ?? []).map(referenceText).filter(Boolean);
  return names.length ? [...new Set(names)].join(', ') : undefined;
}

function notes(list: { text?: string }[] | undefined): string | undefined {
  return list?.map((note) => note.text).join(' ') || undefined;
}

/** "active", "entered in error": a FHIR status code as words. */
function words(code: string | undefined): string | undefined {
  return code?.replaceAll('-', ' ');
}

function statusOf(concept: CodeableConcept | undefined): string | undefined {
  return words(concept?.text ?? concept?.coding?.[0]?.code);
}

const TIME_UNITS: Readonly<Record<string, string>> = {
  s: 'second',
  min: 'minute',
  h: 'hour',
  d: 'day',
  wk: 'week',
  mo: 'month',
  a: 'year',
};

/** `once a day`, `3 times a day`, `every 8 hours`. */
function timingText(timing: Timing | undefined): string | undefined {
  const repeat = timing?.repeat;
  if (!repeat?.periodUnit) return timing?.code ? conceptText(timing.code) : undefined;
  const unit = TIME_UNITS[repeat.periodUnit] ?? repeat.periodUnit;
  const period = repeat.period ?? 1;
  const frequency = repeat.frequency ?? 1;
  if (frequency === 1 && period !== 1) return `every ${period} ${unit}s`;
  const times = frequency === 1 ? 'once' : frequency === 2 ? 'twice' : `${frequency} times`;
  return period === 1 ? `${times} a ${unit}` : `${times} every ${period} ${unit}s`;
}

function dosageText(dosage: Dosage[] | undefined): string | undefined {
  const first = dosage?.[0];
  if (!first) return undefined;
  if (first.text) return first.text;
  const dose = first.doseAndRate?.[0]?.doseQuantity;
  const parts = [
    dose ? quantityText(dose) : undefined,
    timingText(first.timing),
    first.asNeededBoolean ? 'as needed' : undefined,
    first.route ? conceptText(first.route) : undefined,
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : undefined;
}

function ObservationFacts({ observation }: { observation: Observation }) {
  return (
    <>
      <ObservationValue observation={observation} />
      <Facts>
        <Fact label="Measured">{formatDate(clinicalDate(observation))}</Fact>
        <Fact label="Kind">{concepts(observation.category)}</Fact>
        <Fact label="Status">{observation.status !== 'final' ? observation.status : undefined}</Fact>
        <Fact label="Method">{observation.method ? conceptText(observation.method) : undefined}</Fact>
        <Fact label="By">{references(observation.performer)}</Fact>
        <Fact label="Note">{notes(observation.note)}</Fact>
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
      <Fact label="Note">{notes(condition.note)}</Fact>
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
      <Fact label="Prescriber">{isRequest ? referenceText(medication.requester) : undefined}</Fact>
      <Fact label="Reason">{concepts(medication.reasonCode) ?? references(medication.reasonReference)}</Fact>
      <Fact label="Note">{notes(medication.note)}</Fact>
    </Facts>
  );
}

function AdministrationFacts({ administration }: { administration: MedicationAdministration }) {
  const dosage = administration.dosage;
  return (
    <Facts>
      <Fact label="Given">{formatDate(administration.effectiveDateTime ?? administration.effectivePeriod?.start)}</Fact>
      <Fact label="Status">{administration.status !== 'completed' ? administration.status : undefined}</Fact>
      <Fact label="Dose">{dosage?.text ?? (dosage?.dose ? quantityText(dosage.dose) : undefined)}</Fact>
      <Fact label="Route">{dosage?.route ? conceptText(dosage.route) : undefined}</Fact>
      <Fact label="Reason">{concepts(administration.reasonCode) ?? references(administration.reasonReference)}</Fact>
      <Fact label="By">{references(administration.performer?.map((performer) => performer.actor))}</Fact>
    </Facts>
  );
}

function MedicationProductFacts({ medication }: { medication: Medication }) {
  return (
    <Facts>
      <Fact label="Form">{medication.form ? conceptText(medication.form) : undefined}</Fact>
      <Fact label="Ingredients">
        {concepts(medication.ingredient?.map((ingredient) => ingredient.itemCodeableConcept)) ??
          references(medication.ingredient?.map((ingredient) => ingredient.itemReference))}
      </Fact>
      <Fact label="Maker">{referenceText(medication.manufacturer)}</Fact>
      <Fact label="Status">{medication.status}</Fact>
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
      <Fact label="Type">{allergy.type}</Fact>
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
      <Fact label="By">{references(immunization.performer?.map((performer) => performer.actor))}</Fact>
    </Facts>
  );
}

function ProcedureFacts({ procedure }: { procedure: Procedure }) {
  return (
    <Facts>
      <Fact label="Performed">
        {procedure.performedPeriod
          ? periodText(procedure.performedPeriod)
          : formatDate(procedure.performedDateTime ?? procedure.performedString)}
      </Fact>
      <Fact label="Status">{procedure.status !== 'completed' ? procedure.status : undefined}</Fact>
      <Fact label="Reason">{concepts(procedure.reasonCode) ?? references(procedure.reasonReference)}</Fact>
      <Fact label="Body site">{concepts(procedure.bodySite)}</Fact>
      <Fact label="Outcome">{procedure.outcome ? conceptText(procedure.outcome) : undefined}</Fact>
      <Fact label="By">{references(procedure.performer?.map((performer) => performer.actor))}</Fact>
    </Facts>
  );
}

function ReportFacts({ report }: { report: DiagnosticReport }) {
  const count = report.result?.length ?? 0;
  return (
    <>
      <Facts>
        <Fact label="Date">{formatDate(clinicalDate(report))}</Fact>
        <Fact label="Status">{report.status !== 'final' ? report.status : undefined}</Fact>
        <Fact label="By">{references(report.performer)}</Fact>
        <Fact label="Conclusion">{report.conclusion}</Fact>
        <Fact label="Coded conclusion">{concepts(report.conclusionCode)}</Fact>
        <Fact label="Results">{count ? `${count} result${count === 1 ? '' : 's'}` : undefined}</Fact>
      </Facts>
      <Note text={attachmentText(report.presentedForm?.[0])} summary="Read the report" />
    </>
  );
}

const ENCOUNTER_CLASSES: Readonly<Record<string, string>> = {
  AMB: 'Outpatient visit',
  EMER: 'Emergency',
  IMP: 'Hospital stay',
  ACUTE: 'Hospital stay (acute)',
  NONAC: 'Hospital stay',
  OBSENC: 'Observation stay',
  SS: 'Day surgery',
  HH: 'Home health',
  VR: 'Virtual visit',
  FLD: 'Field visit',
};

function EncounterFacts({ encounter }: { encounter: Encounter }) {
  const kind = encounter.class?.code ? ENCOUNTER_CLASSES[encounter.class.code] : undefined;
  return (
    <Facts>
      <Fact label="When">{periodText(encounter.period)}</Fact>
      <Fact label="Kind">{kind ?? encounter.class?.display}</Fact>
      <Fact label="Status">{encounter.status !== 'finished' ? encounter.status : undefined}</Fact>
      <Fact label="Reason">{concepts(encounter.reasonCode) ?? references(encounter.reasonReference)}</Fact>
      <Fact label="With">{references(encounter.participant?.map((participant) => participant.individual))}</Fact>
      <Fact label="Where">
        {references([encounter.serviceProvider, ...(encounter.location?.map((place) => place.location) ?? [])])}
      </Fact>
      <Fact label="Discharged to">
        {encounter.hospitalization?.dischargeDisposition
          ? conceptText(encounter.hospitalization.dischargeDisposition)
          : undefined}
      </Fact>
    </Facts>
  );
}

function PatientFacts({ patient }: { patient: Patient }) {
  return (
    <Facts>
      <Fact label="Name">{humanNameText(patient.name)}</Fact>
      <Fact label="Born">{patient.birthDate ? formatDate(patient.birthDate) : undefined}</Fact>
      <Fact label="Died">{patient.deceasedDateTime ? formatDate(patient.deceasedDateTime) : undefined}</Fact>
      <Fact label="Sex">{patient.gender}</Fact>
      <Fact label="Language">{concepts(patient.communication?.map((language) => language.language))}</Fact>
      <Fact label="Address">{addressText(patient.address)}</Fact>
      <Fact label="Phone">{telecomText(patient.telecom)}</Fact>
    </Facts>
  );
}

function CarePlanFacts({ plan }: { plan: CarePlan }) {
  const activities = (plan.activity ?? [])
    .map((activity) => {
      const what = conceptText(activity.detail?.code, referenceText(activity.reference) ?? '');
      return what ? { what, status: activity.detail?.status } : undefined;
    })
    .filter((activity) => activity !== undefined);
  return (
    <>
      <Facts>
        <Fact label="Plan">{concepts(plan.category)}</Fact>
        <Fact label="Status">{plan.status}</Fact>
        <Fact label="Period">{periodText(plan.period)}</Fact>
        <Fact label="For">{references(plan.addresses)}</Fact>
        <Fact label="Description">{plan.description}</Fact>
      </Facts>
      {activities.length ? (
        <ul className="plain-list">
          {activities.map((activity, index) => (
            <li key={index}>
              {activity.what}
              {activity.status ? <span className="muted small"> ({words(activity.status)})</span> : null}
            </li>
          ))}
        </ul>
      ) : null}
      {plan.description ? null : <Note text={narrativeText(plan)} summary="Plan summary" />}
    </>
  );
}

function CareTeamFacts({ team }: { team: CareTeam }) {
  return (
    <>
      <Facts>
        <Fact label="Status">{team.status}</Fact>
        <Fact label="Period">{periodText(team.period)}</Fact>
        <Fact label="For">{concepts(team.reasonCode) ?? references(team.reasonReference)}</Fact>
        <Fact label="Managed by">{references(team.managingOrganization)}</Fact>
      </Facts>
      {team.participant?.length ? (
        <ul className="plain-list">
          {team.participant.map((participant, index) => (
            <li key={index}>
              {referenceText(participant.member) ?? 'Member'}
              {participant.role?.length ? <span className="muted small"> ({concepts(participant.role)})</span> : null}
            </li>
          ))}
        </ul>
      ) : null}
    </>
  );
}

function targetText(goal: Goal): string | undefined {
  const target = goal.target?.[0];
  if (!target) return undefined;
  const measure = target.measure ? conceptText(target.measure) : '';
  const value = target.detailQuantity
    ? quantityText(target.detailQuantity)
    : target.detailRange
      ? `${quantityText(target.detailRange.low)} – ${quantityText(target.detailRange.high)}`
      : (target.detailString ?? '');
  const due = target.dueDate ? `by ${formatDate(target.dueDate)}` : '';
  return [measure, value, due].filter(Boolean).join(' ') || undefined;
}

function GoalFacts({ goal }: { goal: Goal }) {
  return (
    <Facts>
      <Fact label="Progress">{statusOf(goal.achievementStatus)}</Fact>
      <Fact label="Status">{words(goal.lifecycleStatus)}</Fact>
      <Fact label="Target">{targetText(goal)}</Fact>
      <Fact label="Since">{goal.startDate ? formatDate(goal.startDate) : undefined}</Fact>
      <Fact label="For">{references(goal.addresses)}</Fact>
      <Fact label="Note">{notes(goal.note)}</Fact>
    </Facts>
  );
}

function DocumentFacts({ document }: { document: DocumentReference }) {
  const text = attachmentText(document.content?.[0]?.attachment);
  return (
    <>
      <Facts>
        <Fact label="Type">{document.type ? conceptText(document.type) : undefined}</Fact>
        <Fact label="Kind">{concepts(document.category)}</Fact>
        <Fact label="Date">{formatDate(document.date)}</Fact>
        <Fact label="By">{references(document.author)}</Fact>
        <Fact label="Held by">{referenceText(document.custodian)}</Fact>
        <Fact label="Description">{document.description}</Fact>
      </Facts>
      <Note text={text} summary="Read the note" />
    </>
  );
}

function ImagingFacts({ study }: { study: ImagingStudy }) {
  const series = study.series ?? [];
  return (
    <>
      <Facts>
        <Fact label="Taken">{formatDate(study.started)}</Fact>
        <Fact label="Procedure">{concepts(study.procedureCode)}</Fact>
        <Fact label="Images">
          {study.numberOfInstances !== undefined
            ? `${study.numberOfInstances} in ${study.numberOfSeries ?? series.length} series`
            : undefined}
        </Fact>
        <Fact label="Reason">{concepts(study.reasonCode)}</Fact>
        <Fact label="Description">{study.description}</Fact>
        <Fact label="Status">{study.status !== 'available' ? study.status : undefined}</Fact>
      </Facts>
      {series.length ? (
        <ul className="plain-list">
          {series.map((item, index) => (
            <li key={item.uid ?? index}>
              {item.modality.display ?? item.modality.code}
              {item.bodySite ? ` of ${(item.bodySite.display ?? item.bodySite.code ?? '').toLowerCase()}` : ''}
              {item.instance?.length ? (
                <span className="muted small">
                  {' '}
                  ({item.instance.map((instance) => instance.title ?? `image ${instance.number ?? ''}`).join(', ')})
                </span>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
    </>
  );
}

const CLAIM_TYPES: Readonly<Record<string, string>> = {
  institutional: 'Hospital or clinic',
  professional: 'Physician or clinician',
  pharmacy: 'Pharmacy',
  oral: 'Dental',
  vision: 'Vision',
};

function claimType(type: CodeableConcept | undefined): string | undefined {
  const code = type?.coding?.[0]?.code;
  return type?.text ?? (code ? (CLAIM_TYPES[code] ?? code) : undefined);
}

function services(items: { productOrService?: CodeableConcept }[] | undefined): ReactNode {
  const list = [...new Set((items ?? []).map((item) => conceptText(item.productOrService, '')).filter(Boolean))];
  if (list.length <= 1) return list[0];
  return (
    <ul className="plain-list">
      {list.map((service) => (
        <li key={service}>{service}</li>
      ))}
    </ul>
  );
}

/** A concept's first code as a bill prints it, e.g. "CPT 80061"; undefined when it is not coded. */
function billingCode(concept: CodeableConcept | undefined): string | undefined {
  const coding = concept?.coding?.find((candidate) => candidate.code);
  if (!coding?.code) return undefined;
  const system = coding.system ? (CODE_SYSTEM_NAMES[coding.system] ?? '') : '';
  return system ? `${system} ${coding.code}` : coding.code;
}

/** A concept in words with its code beside it: "Lipid panel (CPT 80061)". */
function codedText(concept: CodeableConcept | undefined): string | undefined {
  const words = conceptText(concept, '');
  const code = billingCode(concept);
  if (!words) return code;
  return code && !words.includes(code.split(' ').at(-1)!) ? `${words} (${code})` : words;
}

const ADJUDICATION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/adjudication';

interface AdjudicationLine {
  category: CodeableConcept;
  amount?: Money;
  reason?: CodeableConcept;
}

/** The amount an adjudication list gives for a category (submitted, eligible, benefit, copay…). */
function adjudicated(list: AdjudicationLine[] | undefined, code: string): Money | undefined {
  return list?.find((line) => codeIn(line.category, ADJUDICATION_SYSTEM) === code)?.amount;
}

/** Why lines were not paid in full, in words, once each. */
function adjudicationReasons(list: AdjudicationLine[] | undefined): string | undefined {
  return concepts(list?.map((line) => line.reason));
}

interface BilledLine {
  key: number;
  service: string;
  code?: string;
  date?: string;
  billed?: string;
  covered?: string;
  paid?: string;
}

/** The lines of a claim or its adjudication as a bill prints them: service, code, date and amounts. */
function LineTable({ lines, caption }: { lines: BilledLine[]; caption: string }) {
  if (lines.length === 0) return null;
  // Only the columns some line fills: an adjudication without "eligible" amounts shows no such column.
  const columns = (
    [
      ['code', 'Code'],
      ['date', 'Date'],
      ['billed', 'Billed'],
      ['covered', 'Covered'],
      ['paid', 'Insurer pays'],
    ] as const
  ).filter(([key]) => lines.some((line) => line[key] !== undefined));
  return (
    <div className="table-wrap">
      <table className="stack-table claim-lines">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Service</th>
            {columns.map(([key, label]) => (
              <th key={key} scope="col">
                {label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {lines.map((line) => (
            <tr key={line.key}>
              <td data-label="Service">{line.service}</td>
              {columns.map(([key, label]) => (
                <td key={key} data-label={label}>
                  {line[key] ?? '—'}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function servicedText(item: { servicedDate?: string; servicedPeriod?: Period }): string | undefined {
  if (item.servicedPeriod) return periodText(item.servicedPeriod);
  return item.servicedDate ? formatDate(item.servicedDate) : undefined;
}

/** Lines worth a table: more than one, or one with a price of its own. */
function lineTableWanted(items: { net?: Money; unitPrice?: Money }[] | undefined): boolean {
  return (items?.length ?? 0) > 1 || (items ?? []).some((item) => item.net ?? item.unitPrice);
}

function ClaimFacts({ claim }: { claim: Claim }) {
  const withLines = lineTableWanted(claim.item);
  return (
    <>
      <Facts>
        {withLines ? null : <Fact label="For">{services(claim.item)}</Fact>}
        <Fact label="Service date">{periodText(claim.billablePeriod) ?? formatDate(claim.created)}</Fact>
        <Fact label="Billed">{moneyText(claim.total)}</Fact>
        <Fact label="Provider">{referenceText(claim.provider)}</Fact>
        <Fact label="Insurer">{referenceText(claim.insurer)}</Fact>
        <Fact label="Insurance">{references(claim.insurance?.map((insurance) => insurance.coverage))}</Fact>
        <Fact label="Diagnoses">
          {claim.diagnosis
            ?.map((diagnosis) =>
              diagnosis.diagnosisCodeableConcept
                ? codedText(diagnosis.diagnosisCodeableConcept)
                : referenceText(diagnosis.diagnosisReference),
            )
            .filter(Boolean)
            .join(', ') || undefined}
        </Fact>
        <Fact label="Claim type">{claimType(claim.type)}</Fact>
        <Fact label="Status">{claim.status !== 'active' ? claim.status : undefined}</Fact>
      </Facts>
      {withLines ? (
        <LineTable
          caption="Billed services"
          lines={(claim.item ?? []).map((item) => ({
            key: item.sequence,
            service: conceptText(item.productOrService, 'Service'),
            code: billingCode(item.productOrService),
            date: servicedText(item),
            billed: moneyText(item.net ?? item.unitPrice),
          }))}
        />
      ) : null}
    </>
  );
}

const OUTCOMES: Readonly<Record<string, string>> = {
  queued: 'Queued',
  complete: 'Processed',
  error: 'Not processed (error)',
  partial: 'Partly processed',
};

function ExplanationFacts({ eob }: { eob: ExplanationOfBenefit }) {
  const total = (code: string) => moneyText(adjudicated(eob.total, code));
  const servicePeriod = eob.item?.[0]?.servicedPeriod;
  const withLines = lineTableWanted(eob.item) || (eob.item ?? []).some((item) => item.adjudication?.length);
  return (
    <>
      <Facts>
        {withLines ? null : <Fact label="For">{services(eob.item)}</Fact>}
        <Fact label="Service date">
          {servicePeriod
            ? periodText(servicePeriod)
            : formatDate(eob.item?.[0]?.servicedDate ?? eob.billablePeriod?.start ?? eob.created)}
        </Fact>
        <Fact label="Decision">{eob.disposition}</Fact>
        <Fact label="Billed">{total('submitted')}</Fact>
        <Fact label="Insurer paid">{moneyText(eob.payment?.amount) ?? total('benefit')}</Fact>
        <Fact label="You owe">{total('copay') ?? total('deductible')}</Fact>
        <Fact label="Insurer">{referenceText(eob.insurer)}</Fact>
        <Fact label="Provider">{referenceText(eob.provider)}</Fact>
        <Fact label="Outcome">{eob.outcome ? (OUTCOMES[eob.outcome] ?? eob.outcome) : undefined}</Fact>
        <Fact label="Why">{adjudicationReasons((eob.item ?? []).flatMap((item) => item.adjudication ?? []))}</Fact>
        <Fact label="Claim type">{claimType(eob.type)}</Fact>
      </Facts>
      {withLines ? (
        <LineTable
          caption="Services and what the insurer covers"
          lines={(eob.item ?? []).map((item) => ({
            key: item.sequence,
            service: conceptText(item.productOrService, 'Service'),
            code: billingCode(item.productOrService),
            date: servicedText(item),
            billed: moneyText(adjudicated(item.adjudication, 'submitted') ?? item.net),
            covered: moneyText(adjudicated(item.adjudication, 'eligible')),
            paid: moneyText(adjudicated(item.adjudication, 'benefit')),
          }))}
        />
      ) : null}
      <Note text={eob.processNote?.map((note) => note.text).join('\n')} summary="Notes from the insurer" />
    </>
  );
}

function ClaimResponseFacts({ response }: { response: ClaimResponse }) {
  const total = (code: string) => moneyText(adjudicated(response.total, code));
  const withLines = (response.item ?? []).some((item) => item.adjudication.length);
  return (
    <>
      <Facts>
        <Fact label="Decision">{response.disposition}</Fact>
        <Fact label="Outcome">{OUTCOMES[response.outcome] ?? response.outcome}</Fact>
        <Fact label="Billed">{total('submitted')}</Fact>
        <Fact label="Insurer pays">{moneyText(response.payment?.amount) ?? total('benefit')}</Fact>
        <Fact label="Insurer">{referenceText(response.insurer)}</Fact>
        <Fact label="Decided">{formatDate(response.created)}</Fact>
        <Fact label="Why">{adjudicationReasons((response.item ?? []).flatMap((item) => item.adjudication))}</Fact>
      </Facts>
      {withLines ? (
        <LineTable
          caption="What the insurer covers"
          lines={(response.item ?? []).map((item) => ({
            key: item.itemSequence,
            service: `Line ${item.itemSequence}`,
            billed: moneyText(adjudicated(item.adjudication, 'submitted')),
            covered: moneyText(adjudicated(item.adjudication, 'eligible')),
            paid: moneyText(adjudicated(item.adjudication, 'benefit')),
          }))}
        />
      ) : null}
      <Note text={response.processNote?.map((note) => note.text).join('\n')} summary="Notes from the insurer" />
    </>
  );
}

function CoverageFacts({ coverage }: { coverage: Coverage }) {
  const plan = coverage.class?.find((item) => codeIn(item.type, COVERAGE_CLASS_SYSTEM) === 'plan');
  return (
    <Facts>
      <Fact label="Insurer">{references(coverage.payor)}</Fact>
      <Fact label="Plan">{plan?.name ?? plan?.value ?? (coverage.type ? conceptText(coverage.type) : undefined)}</Fact>
      <Fact label="Member id">{coverage.subscriberId}</Fact>
      <Fact label="Status">{coverage.status}</Fact>
      <Fact label="Period">{periodText(coverage.period)}</Fact>
      <Fact label="Relationship">{coverage.relationship ? conceptText(coverage.relationship) : undefined}</Fact>
    </Facts>
  );
}

const COVERAGE_CLASS_SYSTEM = 'http://terminology.hl7.org/CodeSystem/coverage-class';

function OrganizationFacts({ organization }: { organization: Organization }) {
  return (
    <Facts>
      <Fact label="Kind">{concepts(organization.type)}</Fact>
      <Fact label="Address">{addressText(organization.address)}</Fact>
      <Fact label="Phone">{telecomText(organization.telecom)}</Fact>
    </Facts>
  );
}

function PractitionerFacts({ practitioner }: { practitioner: Practitioner }) {
  return (
    <Facts>
      <Fact label="Qualification">{concepts(practitioner.qualification?.map((item) => item.code))}</Fact>
      <Fact label="NPI">
        {practitioner.identifier?.find((identifier) => identifier.system === 'http://hl7.org/fhir/sid/us-npi')?.value}
      </Fact>
      <Fact label="Address">{addressText(practitioner.address)}</Fact>
      <Fact label="Contact">{telecomText(practitioner.telecom)}</Fact>
    </Facts>
  );
}

function RoleFacts({ role }: { role: PractitionerRole }) {
  return (
    <Facts>
      <Fact label="Role">{concepts(role.code)}</Fact>
      <Fact label="Specialty">{concepts(role.specialty)}</Fact>
      <Fact label="At">{references([role.organization, ...(role.location ?? [])])}</Fact>
      <Fact label="Contact">{telecomText(role.telecom)}</Fact>
    </Facts>
  );
}

function LocationFacts({ location }: { location: Location }) {
  return (
    <Facts>
      <Fact label="Kind">{concepts(location.type)}</Fact>
      <Fact label="Address">{location.address ? addressText([location.address]) : undefined}</Fact>
      <Fact label="Phone">{telecomText(location.telecom)}</Fact>
      <Fact label="Part of">{referenceText(location.managingOrganization)}</Fact>
    </Facts>
  );
}

function DeviceFacts({ device }: { device: Device }) {
  return (
    <Facts>
      <Fact label="Kind">{device.type ? conceptText(device.type) : undefined}</Fact>
      <Fact label="Maker">{device.manufacturer}</Fact>
      <Fact label="Model">{device.modelNumber}</Fact>
      <Fact label="Status">{device.status}</Fact>
      <Fact label="Made">{device.manufactureDate ? formatDate(device.manufactureDate) : undefined}</Fact>
      <Fact label="Expires">{device.expirationDate ? formatDate(device.expirationDate) : undefined}</Fact>
    </Facts>
  );
}

function SupplyFacts({ delivery }: { delivery: SupplyDelivery }) {
  return (
    <Facts>
      <Fact label="Quantity">
        {delivery.suppliedItem?.quantity ? quantityText(delivery.suppliedItem.quantity) : undefined}
      </Fact>
      <Fact label="Delivered">{formatDate(clinicalDate(delivery))}</Fact>
      <Fact label="Status">{delivery.status !== 'completed' ? delivery.status : undefined}</Fact>
      <Fact label="Supplier">{referenceText(delivery.supplier)}</Fact>
    </Facts>
  );
}

function ProvenanceFacts({ provenance }: { provenance: Provenance }) {
  return (
    <Facts>
      <Fact label="Recorded">{formatDate(provenance.recorded)}</Fact>
      <Fact label="About">{`${provenance.target.length} record${provenance.target.length === 1 ? '' : 's'}`}</Fact>
      <Fact label="By">{references(provenance.agent.map((agent) => agent.who))}</Fact>
      <Fact label="On behalf of">{references(provenance.agent.map((agent) => agent.onBehalfOf))}</Fact>
      <Fact label="Activity">{provenance.activity ? conceptText(provenance.activity) : undefined}</Fact>
    </Facts>
  );
}

/** Any other resource type: its status, date and narrative, in words. */
function GenericFacts({ resource }: { resource: Resource }) {
  const status = (resource as { status?: unknown }).status;
  return (
    <>
      <Facts>
        <Fact label="Date">{formatDate(clinicalDate(resource))}</Fact>
        <Fact label="Status">{typeof status === 'string' ? words(status) : undefined}</Fact>
      </Facts>
      <p className="muted small">
        MedLedger has no dedicated view for a {resource.resourceType} yet; everything it holds is in its FHIR JSON.
      </p>
      <Note text={narrativeText(resource)} summary="Summary written with it" />
    </>
  );
}

/** The clinical body of any FHIR resource, in words; the raw JSON is {@link FhirJsonDetails}' job. */
export function ResourceBody({ resource }: { resource: Resource }) {
  switch (resource.resourceType) {
    case 'Observation':
      return <ObservationFacts observation={resource} />;
    case 'Condition':
      return <ConditionFacts condition={resource} />;
    case 'MedicationRequest':
    case 'MedicationStatement':
      return <MedicationFacts medication={resource} />;
    case 'MedicationAdministration':
      return <AdministrationFacts administration={resource} />;
    case 'Medication':
      return <MedicationProductFacts medication={resource} />;
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
    case 'CareTeam':
      return <CareTeamFacts team={resource} />;
    case 'Goal':
      return <GoalFacts goal={resource} />;
    case 'DocumentReference':
      return <DocumentFacts document={resource} />;
    case 'ImagingStudy':
      return <ImagingFacts study={resource} />;
    case 'Claim':
      return <ClaimFacts claim={resource} />;
    case 'ExplanationOfBenefit':
      return <ExplanationFacts eob={resource} />;
    case 'ClaimResponse':
      return <ClaimResponseFacts response={resource} />;
    case 'Coverage':
      return <CoverageFacts coverage={resource} />;
    case 'Organization':
      return <OrganizationFacts organization={resource} />;
    case 'Practitioner':
      return <PractitionerFacts practitioner={resource} />;
    case 'PractitionerRole':
      return <RoleFacts role={resource} />;
    case 'Location':
      return <LocationFacts location={resource} />;
    case 'Device':
      return <DeviceFacts device={resource} />;
    case 'SupplyDelivery':
      return <SupplyFacts delivery={resource} />;
    case 'Provenance':
      return <ProvenanceFacts provenance={resource} />;
    default:
      return <GenericFacts resource={resource} />;
  }
}

/**
 * The resource exactly as stored, one click away and never the default; it is serialised only once
 * opened, so a long history renders no JSON at all.
 */
export function FhirJsonDetails({ resource }: { resource: Resource }) {
  const [open, setOpen] = useState(false);
  return (
    <details className="fhir-details" onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>FHIR JSON</summary>
      {open ? <pre className="fhir-json">{stringifyJson(resource, 2)}</pre> : null}
    </details>
  );
}
