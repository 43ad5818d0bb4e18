import type { Bundle, BundleEntry, Reference, Resource } from '@medplum/fhirtypes';

/**
 * A six-year history shaped like a Synthea export, built in code (tests never read ../shared): three
 * visits, each with blood pressure (as components of a 55284-4 panel), weight, BMI and HbA1c, lipid
 * panels as DiagnosticReports with their result Observations, a claim and an insurance statement per
 * visit, conditions, a prescription, a vaccine, a procedure, imaging, a care plan, a goal, an allergy,
 * a clinical note, insurance coverage, and the hospital and doctor. References are `urn:uuid:`
 * fullUrls, as Synthea writes them, and every resource has the id its fullUrl carries.
 */
export function historyBundle(): Bundle {
  const entries: BundleEntry[] = [];
  let serial = 0;
  const add = (resource: Record<string, unknown>): Reference => {
    const id = `00000000-0000-4000-a000-${String(++serial).padStart(12, '0')}`;
    const fullUrl = `urn:uuid:${id}`;
    entries.push({
      fullUrl,
      resource: { ...resource, id } as unknown as Resource,
      request: { method: 'POST', url: String(resource.resourceType) },
    });
    return { reference: fullUrl };
  };
  const loinc = (code: string, display: string) => ({
    coding: [{ system: 'http://loinc.org', code, display }],
    text: display,
  });
  const snomed = (code: string, display: string) => ({
    coding: [{ system: 'http://snomed.info/sct', code, display }],
    text: display,
  });
  const category = (code: string) => [
    { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code, display: code }] },
  ];
  const quantity = (value: number, unit: string) => ({
    value,
    unit,
    system: 'http://unitsofmeasure.org',
    code: unit,
  });

  const subject = add({
    resourceType: 'Patient',
    name: [{ use: 'official', family: 'Alvarez', given: ['Rosa'], prefix: ['Mrs.'] }],
    gender: 'female',
    birthDate: '1966-08-14',
  });
  const hospital = add({
    resourceType: 'Organization',
    active: true,
    type: [
      {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/organization-type', code: 'prov' }],
        text: 'Healthcare Provider',
      },
    ],
    name: 'Riverside Community Health',
    telecom: [{ system: 'phone', value: '555-0100' }],
    address: [{ line: ['12 Harbor Road'], city: 'Springfield', state: 'MA', postalCode: '01101', country: 'US' }],
  });
  const doctor = add({
    resourceType: 'Practitioner',
    active: true,
    identifier: [{ system: 'http://hl7.org/fhir/sid/us-npi', value: '9999912345' }],
    name: [{ family: 'Okafor', given: ['Adaeze'], prefix: ['Dr.'] }],
    gender: 'female',
  });
  const doctorRef = { ...doctor, display: 'Dr. Adaeze Okafor' };
  const hospitalRef = { ...hospital, display: 'Riverside Community Health' };
  add({
    resourceType: 'Coverage',
    status: 'active',
    type: { text: 'Private insurance' },
    beneficiary: subject,
    payor: [{ display: 'Anthem' }],
    period: { start: '2015-01-01' },
  });
  add({
    resourceType: 'AllergyIntolerance',
    clinicalStatus: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }],
    },
    verificationStatus: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification', code: 'confirmed' }],
    },
    type: 'allergy',
    category: ['environment'],
    criticality: 'low',
    code: snomed('300916003', 'Latex allergy'),
    patient: subject,
    recordedDate: '2010-02-03T09:00:00+00:00',
  });

  const visits = [
    {
      start: '2016-03-10T09:00:00+00:00',
      end: '2016-03-10T09:30:00+00:00',
      bp: [128, 82],
      kg: 78.2,
      bmi: 26.1,
      a1c: 5.6,
      chol: [204, 52],
    },
    {
      start: '2019-04-02T10:00:00+00:00',
      end: '2019-04-02T10:40:00+00:00',
      bp: [136, 86],
      kg: 80.5,
      bmi: 26.9,
      a1c: 6.1,
    },
    {
      start: '2022-05-17T08:30:00+00:00',
      end: '2022-05-17T09:15:00+00:00',
      bp: [142, 90],
      kg: 83.1,
      bmi: 27.8,
      a1c: 6.6,
      chol: [221, 47],
    },
  ];
  for (const [index, visit] of visits.entries()) {
    const encounter = add({
      resourceType: 'Encounter',
      status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
      type: [snomed('162673000', 'General examination of patient (procedure)')],
      subject,
      participant: [{ individual: doctorRef }],
      period: { start: visit.start, end: visit.end },
      serviceProvider: hospitalRef,
    });
    const at = { subject, encounter, effectiveDateTime: visit.start, issued: visit.start };
    add({
      resourceType: 'Observation',
      status: 'final',
      category: category('vital-signs'),
      code: loinc('55284-4', 'Blood Pressure'),
      ...at,
      component: [
        { code: loinc('8462-4', 'Diastolic Blood Pressure'), valueQuantity: quantity(visit.bp[1]!, 'mm[Hg]') },
        { code: loinc('8480-6', 'Systolic Blood Pressure'), valueQuantity: quantity(visit.bp[0]!, 'mm[Hg]') },
      ],
    });
    add({
      resourceType: 'Observation',
      status: 'final',
      category: category('vital-signs'),
      code: loinc('29463-7', 'Body Weight'),
      ...at,
      valueQuantity: quantity(visit.kg, 'kg'),
    });
    add({
      resourceType: 'Observation',
      status: 'final',
      category: category('vital-signs'),
      code: loinc('39156-5', 'Body Mass Index'),
      ...at,
      valueQuantity: quantity(visit.bmi, 'kg/m2'),
    });
    add({
      resourceType: 'Observation',
      status: 'final',
      category: category('laboratory'),
      code: loinc('4548-4', 'Hemoglobin A1c/Hemoglobin.total in Blood'),
      ...at,
      valueQuantity: quantity(visit.a1c, '%'),
    });
    if (visit.chol) {
      const total = add({
        resourceType: 'Observation',
        status: 'final',
        category: category('laboratory'),
        code: loinc('2093-3', 'Total Cholesterol'),
        ...at,
        valueQuantity: quantity(visit.chol[0]!, 'mg/dL'),
      });
      const hdl = add({
        resourceType: 'Observation',
        status: 'final',
        category: category('laboratory'),
        code: loinc('2085-9', 'High Density Lipoprotein Cholesterol'),
        ...at,
        valueQuantity: quantity(visit.chol[1]!, 'mg/dL'),
        referenceRange: [{ low: quantity(40, 'mg/dL'), text: '≥ 40 mg/dL' }],
      });
      add({
        resourceType: 'DiagnosticReport',
        status: 'final',
        code: loinc('57698-3', 'Lipid Panel'),
        ...at,
        performer: [doctorRef],
        result: [
          { ...total, display: 'Total Cholesterol' },
          { ...hdl, display: 'High Density Lipoprotein Cholesterol' },
        ],
      });
    }
    if (index === 0) {
      add({
        resourceType: 'Procedure',
        status: 'completed',
        code: snomed('430193006', 'Medication Reconciliation (procedure)'),
        subject,
        encounter,
        performedPeriod: { start: visit.start, end: visit.end },
      });
    }
    if (index === 1) {
      add({
        resourceType: 'Condition',
        clinicalStatus: {
          coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
        },
        verificationStatus: {
          coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }],
        },
        code: snomed('15777000', 'Prediabetes'),
        subject,
        encounter,
        onsetDateTime: visit.start,
        recordedDate: visit.start,
      });
      add({
        resourceType: 'Immunization',
        status: 'completed',
        vaccineCode: {
          coding: [
            {
              system: 'http://hl7.org/fhir/sid/cvx',
              code: '140',
              display: 'Influenza, seasonal, injectable, preservative free',
            },
          ],
          text: 'Influenza, seasonal, injectable, preservative free',
        },
        patient: subject,
        encounter,
        occurrenceDateTime: visit.start,
        primarySource: true,
      });
      add({
        resourceType: 'ImagingStudy',
        status: 'available',
        subject,
        encounter,
        started: visit.start,
        numberOfSeries: 1,
        numberOfInstances: 2,
        series: [
          {
            uid: '1.2.840.99999999.1.1',
            number: 1,
            modality: {
              system: 'http://dicom.nema.org/resources/ontology/DCM',
              code: 'DX',
              display: 'Digital Radiography',
            },
            numberOfInstances: 2,
            bodySite: { system: 'http://snomed.info/sct', code: '51185008', display: 'Chest' },
            started: visit.start,
            instance: [
              {
                uid: '1.2.840.99999999.1.1.1',
                sopClass: { system: 'urn:ietf:rfc:3986', code: '1.2.840.10008.5.1.4.1.1.1.1' },
                number: 1,
                title: 'Chest PA',
              },
              {
                uid: '1.2.840.99999999.1.1.2',
                sopClass: { system: 'urn:ietf:rfc:3986', code: '1.2.840.10008.5.1.4.1.1.1.1' },
                number: 2,
                title: 'Chest lateral',
              },
            ],
          },
        ],
      });
    }
    if (index === 2) {
      const hypertension = add({
        resourceType: 'Condition',
        clinicalStatus: {
          coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
        },
        verificationStatus: {
          coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }],
        },
        code: snomed('59621000', 'Essential hypertension (disorder)'),
        subject,
        encounter,
        onsetDateTime: visit.start,
        recordedDate: visit.start,
      });
      add({
        resourceType: 'Observation',
        status: 'final',
        category: category('laboratory'),
        code: loinc('2339-0', 'Glucose [Mass/volume] in Blood'),
        ...at,
        valueQuantity: quantity(104, 'mg/dL'),
        referenceRange: [{ low: quantity(70, 'mg/dL'), high: quantity(99, 'mg/dL') }],
      });
      add({
        resourceType: 'MedicationRequest',
        status: 'active',
        intent: 'order',
        medicationCodeableConcept: {
          coding: [
            {
              system: 'http://www.nlm.nih.gov/research/umls/rxnorm',
              code: '314076',
              display: 'lisinopril 10 MG Oral Tablet',
            },
          ],
          text: 'lisinopril 10 MG Oral Tablet',
        },
        subject,
        encounter,
        authoredOn: visit.start,
        requester: doctorRef,
        reasonReference: [hypertension],
        dosageInstruction: [{ sequence: 1, timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } } }],
      });
      add({
        resourceType: 'CarePlan',
        status: 'active',
        intent: 'order',
        category: [snomed('443402002', 'Lifestyle education regarding hypertension (procedure)')],
        subject,
        encounter,
        period: { start: visit.start },
        addresses: [hypertension],
        activity: [
          { detail: { code: snomed('386463000', 'Prescribed activity/exercise education'), status: 'in-progress' } },
          { detail: { code: snomed('413473000', 'Counseling about alcohol consumption'), status: 'in-progress' } },
        ],
      });
      add({
        resourceType: 'Goal',
        lifecycleStatus: 'active',
        achievementStatus: {
          coding: [{ system: 'http://terminology.hl7.org/CodeSystem/goal-achievement', code: 'in-progress' }],
        },
        description: { text: 'Blood pressure below 130/80 mmHg' },
        subject,
        startDate: '2022-05-17',
      });
      add({
        resourceType: 'DocumentReference',
        status: 'current',
        type: loinc('34117-2', 'History and physical note'),
        subject,
        date: visit.end,
        author: [doctorRef],
        content: [
          {
            attachment: {
              contentType: 'text/plain; charset=utf-8',
              data: Buffer.from(
                'Blood pressure has risen over three visits. Starting lisinopril; recheck in four weeks.',
              ).toString('base64'),
            },
          },
        ],
        context: { encounter: [encounter], period: { start: visit.start, end: visit.end } },
      });
    }
    const service = snomed('162673000', 'General examination of patient (procedure)');
    const claim = add({
      resourceType: 'Claim',
      status: 'active',
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'institutional' }] },
      use: 'claim',
      patient: subject,
      billablePeriod: { start: visit.start, end: visit.end },
      created: visit.end,
      provider: hospitalRef,
      priority: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/processpriority', code: 'normal' }] },
      insurance: [{ sequence: 1, focal: true, coverage: { display: 'Anthem' } }],
      item: [{ sequence: 1, productOrService: service, encounter: [encounter] }],
      total: { value: 129.16, currency: 'USD' },
    });
    add({
      resourceType: 'ExplanationOfBenefit',
      status: 'active',
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'institutional' }] },
      use: 'claim',
      patient: subject,
      billablePeriod: { start: visit.end, end: visit.end },
      created: visit.end,
      insurer: { display: 'Anthem' },
      provider: doctorRef,
      claim,
      outcome: 'complete',
      insurance: [{ focal: true, coverage: { display: 'Anthem' } }],
      item: [
        {
          sequence: 1,
          productOrService: service,
          encounter: [encounter],
          servicedPeriod: { start: visit.start, end: visit.end },
        },
      ],
      total: [
        {
          category: {
            coding: [
              {
                system: 'http://terminology.hl7.org/CodeSystem/adjudication',
                code: 'submitted',
                display: 'Submitted Amount',
              },
            ],
            text: 'Submitted Amount',
          },
          amount: { value: 129.16, currency: 'USD' },
        },
      ],
      payment: { amount: { value: 103.33, currency: 'USD' } },
    });
  }
  return { resourceType: 'Bundle', type: 'transaction', entry: entries };
}
