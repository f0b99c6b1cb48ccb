import { SopClass } from '../../src/dicom/uids';
import { createRouter, RoutingConfigError, SeriesFacts, seriesFactsOf } from '../../src/pipeline/routing';

const rules = [
  { modality: 'ES', model: 'es-demo' },
  { modality: 'CT', model: 'ct-demo', bodyPartPattern: 'STOMACH|ABDOMEN|GASTR' },
  { modality: 'PT', model: 'pt-demo', bodyPartPattern: 'STOMACH|ABDOMEN|WHOLEBODY', callingAet: 'PETCT' },
  { callingAet: 'ENDO_TOWER', sopClassUid: SopClass.SecondaryCaptureImage, model: 'es-tower' },
];
const series = (over: Partial<SeriesFacts>): SeriesFacts => ({
  seriesInstanceUid: '1.2.3',
  modality: 'ES',
  sopClassUids: [SopClass.VlEndoscopicImage],
  bodyPartExamined: '',
  studyDescription: '',
  seriesDescription: '',
  callingAet: null,
  ...over,
});

describe('routing', () => {
  const route = createRouter(rules);

  it('routes each series to the model id of the first matching rule', () => {
    const d = route([series({ seriesInstanceUid: '1.1', modality: 'CT', bodyPartExamined: 'abdomen' }), series({ seriesInstanceUid: '1.2' })]);
    expect(d).toEqual({ kind: 'analyse', series: [{ seriesInstanceUid: '1.1', modelId: 'ct-demo' }, { seriesInstanceUid: '1.2', modelId: 'es-demo' }] });
  });

  it('routes a Secondary Capture still with modality OT by SOP class and calling AE, and only then', () => {
    const still = series({ modality: 'OT', sopClassUids: [SopClass.SecondaryCaptureImage], callingAet: 'ENDO_TOWER' });
    expect(route([still])).toEqual({ kind: 'analyse', series: [{ seriesInstanceUid: '1.2.3', modelId: 'es-tower' }] });
    expect(route([{ ...still, callingAet: 'OTHER' }]).kind).toBe('skip');
    expect(route([{ ...still, sopClassUids: [SopClass.CtImage] }]).kind).toBe('skip');
  });

  it('lets several models serve one modality, chosen by the rule', () => {
    const two = createRouter([
      { modality: 'ES', callingAet: 'SITE_B', model: 'es-site-b' },
      { modality: 'ES', model: 'es-demo' },
    ]);
    expect(two([series({ callingAet: 'SITE_B' })])).toEqual({ kind: 'analyse', series: [{ seriesInstanceUid: '1.2.3', modelId: 'es-site-b' }] });
    expect(two([series({ callingAet: 'SITE_A' })])).toEqual({ kind: 'analyse', series: [{ seriesInstanceUid: '1.2.3', modelId: 'es-demo' }] });
  });

  it('skips a chest CT with a reason naming what the study held', () => {
    const d = route([series({ modality: 'CT', bodyPartExamined: 'CHEST' })]);
    expect(d.kind).toBe('skip');
    expect(d.kind === 'skip' && d.reason).toMatch(/CT \(CHEST\)/);
  });

  it('honours the calling AE filter', () => {
    expect(route([series({ modality: 'PT', bodyPartExamined: 'WHOLEBODY', callingAet: 'OTHER' })]).kind).toBe('skip');
    expect(route([series({ modality: 'PT', bodyPartExamined: 'WHOLEBODY', callingAet: 'PETCT' })]).kind).toBe('analyse');
  });

  it('never routes our own result series', () => {
    const d = route([series({ modality: 'ES', seriesDescription: 'AI gastric cancer overlay - not for clinical use' })]);
    expect(d.kind).toBe('skip');
  });

  it('names the rule with a broken pattern', () => {
    expect(() => createRouter([{ modality: 'CT', model: 'ct-demo', bodyPartPattern: '(' }])).toThrow(RoutingConfigError);
    expect(() => createRouter([{ modality: 'CT', model: 'ct-demo', bodyPartPattern: '(' }])).toThrow(/routing.rules.0.bodyPartPattern/);
  });

  it('gathers per-series facts with every SOP class of the series', () => {
    const row = { seriesInstanceUid: '1.9', modality: 'OT', bodyPartExamined: '', studyDescription: 'EGD', seriesDescription: '' };
    const facts = seriesFactsOf(
      [
        { ...row, sopClassUid: SopClass.SecondaryCaptureImage },
        { ...row, sopClassUid: SopClass.VlEndoscopicImage },
        { ...row, sopClassUid: SopClass.SecondaryCaptureImage },
      ],
      'ENDO_TOWER',
    );
    expect(facts).toEqual([{ ...row, sopClassUids: [SopClass.SecondaryCaptureImage, SopClass.VlEndoscopicImage], callingAet: 'ENDO_TOWER' }]);
  });
});
