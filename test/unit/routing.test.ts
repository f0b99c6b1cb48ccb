import { createRouter, RoutingConfigError, SeriesFacts } from '../../src/pipeline/routing';

const rules = [
  { modality: 'ES' as const, model: 'ES' as const },
  { modality: 'CT' as const, model: 'CT' as const, bodyPartPattern: 'STOMACH|ABDOMEN|GASTR' },
  { modality: 'PT' as const, model: 'PT' as const, bodyPartPattern: 'STOMACH|ABDOMEN|WHOLEBODY', callingAet: 'PETCT' },
];
const series = (over: Partial<SeriesFacts>): SeriesFacts => ({
  seriesInstanceUid: '1.2.3',
  modality: 'ES',
  bodyPartExamined: '',
  studyDescription: '',
  seriesDescription: '',
  callingAet: null,
  ...over,
});

describe('routing', () => {
  const route = createRouter(rules);

  it('routes each series by the first matching rule', () => {
    const d = route([series({ seriesInstanceUid: '1.1', modality: 'CT', bodyPartExamined: 'abdomen' }), series({ seriesInstanceUid: '1.2' })]);
    expect(d).toEqual({ kind: 'analyse', series: [{ seriesInstanceUid: '1.1', model: 'CT' }, { seriesInstanceUid: '1.2', model: 'ES' }] });
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
    expect(() => createRouter([{ modality: 'CT', model: 'CT', bodyPartPattern: '(' }])).toThrow(RoutingConfigError);
    expect(() => createRouter([{ modality: 'CT', model: 'CT', bodyPartPattern: '(' }])).toThrow(/routing.rules.0.bodyPartPattern/);
  });
});
