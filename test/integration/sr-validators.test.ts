/**
 * Every SR the node writes passes the three validators: PixelMed DicomSRValidator (TID 1500 templates, no "Error"
 * line), dciodvfy (Comprehensive SR IOD, no "Error" line) and dsrdump (exit 0, no E:/F: line). Positive and negative
 * studies of ES (plain and JPEG source), CT and PT. PixelMed runs once for all files (one JVM start) through a
 * small Java source-file launcher that calls DicomSRValidator.validate(file) per file.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { writePart10 } from '../../src/dicom/io';
import { TransferSyntax } from '../../src/dicom/uids';
import { buildReport } from '../../src/results/sr';
import { syntheticResultInput } from '../helpers/result-input';

const run = promisify(execFile);
const PIXELMED = '/usr/share/java/pixelmed.jar';
const JAVA_XML_LIMITS = ['-Djdk.xml.xpathExprOpLimit=0', '-Djdk.xml.xpathExprGrpLimit=0', '-Djdk.xml.xpathTotalOpLimit=0'];
const BATCH_SOURCE = `
public class SrBatchValidate {
  public static void main(String[] files) throws Exception {
    com.pixelmed.validate.DicomSRValidator validator = new com.pixelmed.validate.DicomSRValidator();
    for (String file : files) {
      System.out.println("=== " + file);
      System.out.println(validator.validate(file));
    }
  }
}
`;

interface Case {
  label: string;
  modality: 'ES' | 'CT' | 'PT';
  positive: boolean;
  jpeg: boolean;
}
const CASES: Case[] = [
  { label: 'ES positive', modality: 'ES', positive: true, jpeg: false },
  { label: 'ES negative', modality: 'ES', positive: false, jpeg: false },
  { label: 'ES positive (JPEG source)', modality: 'ES', positive: true, jpeg: true },
  { label: 'ES negative (JPEG source)', modality: 'ES', positive: false, jpeg: true },
  { label: 'CT positive', modality: 'CT', positive: true, jpeg: false },
  { label: 'CT negative', modality: 'CT', positive: false, jpeg: false },
  { label: 'PT positive', modality: 'PT', positive: true, jpeg: false },
  { label: 'PT negative', modality: 'PT', positive: false, jpeg: false },
];

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gastric-sr-validators-'));
const fileOf = (c: Case): string => path.join(tmp, `${c.label.replace(/[^A-Za-z]+/g, '-')}.dcm`);
const pixelmed = new Map<string, string>();
const dciodvfy = new Map<string, string>();
const dsrdump = new Map<string, { code: number; stderr: string }>();
const groups = new Map<string, number>();

async function output(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(cmd, args, { maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number | string; stdout?: string; stderr?: string; message: string };
    if (typeof err.code === 'string') throw new Error(`${cmd} not runnable: ${err.message}`);
    return { code: Number(err.code ?? 1), stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

beforeAll(async () => {
  for (const c of CASES) {
    const input = syntheticResultInput({ modality: c.modality, positive: c.positive, jpeg: c.jpeg, dir: path.join(tmp, `src-${path.basename(fileOf(c), '.dcm')}`) });
    const ds = buildReport(input);
    const imaging = (ds.ContentSequence as Array<{ ConceptNameCodeSequence: Array<{ CodeValue: string }>; ContentSequence?: unknown[] }>).find(
      (i) => i.ConceptNameCodeSequence[0].CodeValue === '126010',
    );
    groups.set(c.label, imaging?.ContentSequence?.length ?? 0);
    fs.writeFileSync(fileOf(c), writePart10(ds, TransferSyntax.ExplicitVRLittleEndian));
  }
  const files = CASES.map(fileOf);
  const source = path.join(tmp, 'SrBatchValidate.java');
  fs.writeFileSync(source, BATCH_SOURCE);
  const [batch] = await Promise.all([
    output('java', [...JAVA_XML_LIMITS, '-cp', PIXELMED, source, ...files]),
    ...files.map(async (f) => {
      const v = await output('dciodvfy', ['-new', f]);
      dciodvfy.set(f, `${v.stdout}\n${v.stderr}`);
      const d = await output('dsrdump', [f]);
      dsrdump.set(f, { code: d.code, stderr: d.stderr });
    }),
  ]);
  if (batch.code !== 0) throw new Error(`PixelMed batch failed: ${batch.stderr}`);
  for (const part of batch.stdout.split(/^=== /m).slice(1)) {
    const newline = part.indexOf('\n');
    pixelmed.set(part.slice(0, newline).trim(), part.slice(newline + 1));
  }
}, 240_000);

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const errorLines = (text: string | undefined): string[] => (text ?? 'no output').split('\n').filter((l) => /Error/.test(l));

describe.each(CASES)('$label SR', (c) => {
  test('PixelMed DicomSRValidator reports no error', () => {
    const report = pixelmed.get(fileOf(c));
    expect(report).toContain('Found Root Template TID_1500');
    expect(errorLines(report)).toEqual([]);
  });
  test('dciodvfy reports no error', () => {
    expect(errorLines(dciodvfy.get(fileOf(c)))).toEqual([]);
  });
  test('dsrdump reads it without error', () => {
    const r = dsrdump.get(fileOf(c))!;
    expect(r.code).toBe(0);
    expect(r.stderr.split('\n').filter((l) => /^(E|F):/.test(l))).toEqual([]);
  });
  test(c.positive ? 'has a measurement group per finding' : 'has no measurement group', () => {
    if (c.positive) expect(groups.get(c.label)).toBeGreaterThan(0);
    else expect(groups.get(c.label)).toBe(0);
  });
});
