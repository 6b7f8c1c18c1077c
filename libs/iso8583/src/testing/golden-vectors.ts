import * as fs from 'fs';
import * as path from 'path';
import { IsoMessageJson } from '../codec/json';

/** A hand-made vector: the wire bytes written out part by part, and the decoded message. */
export interface GoldenVector {
  readonly file: string;
  readonly name: string;
  readonly note: string;
  readonly wire: ReadonlyArray<{ readonly part: string; readonly ascii: string }>;
  readonly message: IsoMessageJson;
}

export const GOLDEN_DIR = path.resolve(__dirname, '../../test-fixtures/golden');

export function loadGoldenVectors(): GoldenVector[] {
  return fs
    .readdirSync(GOLDEN_DIR)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({ file, ...(JSON.parse(fs.readFileSync(path.join(GOLDEN_DIR, file), 'utf8')) as Omit<GoldenVector, 'file'>) }));
}

/** The message body of a vector: its parts joined (ASCII). */
export function goldenBody(vector: GoldenVector): Buffer {
  return Buffer.from(vector.wire.map((part) => part.ascii).join(''), 'latin1');
}
