import type { McRange } from '../program';
import { ConfigNode, fail, parseYamlText, readList, readMap, readString, readEntries } from './config-reader';

/** Named groups of merchant category codes (config/merchant-categories.yaml). */
export type MerchantCategoryGroups = ReadonlyMap<string, readonly McRange[]>;

const CODE = /^[0-9]{4}$/;
const RANGE = /^([0-9]{4})-([0-9]{4})$/;

/** Reads "5967" or "3501-3999" into an inclusive range. */
export function readMcRange(node: ConfigNode): McRange {
  const text = readString(node);
  if (CODE.test(text)) return { low: Number(text), high: Number(text) };
  const match = RANGE.exec(text);
  if (match === null)
    fail(node, `must be a 4-digit merchant category code or a range "LOW-HIGH", got ${JSON.stringify(text)}`);
  const range = { low: Number(match[1]), high: Number(match[2]) };
  if (range.low > range.high) fail(node, `range must go from low to high, got ${JSON.stringify(text)}`);
  return range;
}

/** Parses config/merchant-categories.yaml. */
export function parseMerchantCategories(text: string, file: string): MerchantCategoryGroups {
  const root = readMap(parseYamlText(text, file), { required: ['groups'] });
  const groups = new Map<string, readonly McRange[]>();
  for (const [name, groupNode] of readEntries(root.get('groups')!)) {
    const group = readMap(groupNode, { required: ['codes'], optional: ['description'] });
    groups.set(name, readList(group.get('codes')!).map(readMcRange));
  }
  return groups;
}

/**
 * Reads a program's category list: each item is a group name from merchant-categories.yaml or a
 * code / range written in place.
 */
export function readCategoryList(node: ConfigNode, groups: MerchantCategoryGroups): McRange[] {
  return readList(node).flatMap((item) => {
    const text = readString(item);
    const group = groups.get(text);
    if (group !== undefined) return [...group];
    if (CODE.test(text) || RANGE.test(text)) return [readMcRange(item)];
    return fail(
      item,
      `unknown merchant category group ${JSON.stringify(text)} (known: ${[...groups.keys()].join(', ')})`,
    );
  });
}

/** True when the 4-digit code (field 18) is inside one of the ranges. */
export function inCategories(mcc: string, ranges: readonly McRange[]): boolean {
  if (!CODE.test(mcc)) return false;
  const code = Number(mcc);
  return ranges.some((range) => code >= range.low && code <= range.high);
}
