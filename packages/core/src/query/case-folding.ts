/**
 * Case folding and string order exactly as the databases' LOWER() and binary comparisons do them.
 *
 * PostgreSQL (libc locales) and MySQL/MariaDB lower() map one code point at a time through a simple
 * (one-to-one) lowercase table: 'İ' (U+0130) becomes a plain 'i', and 'Σ' always becomes 'σ', never
 * the final 'ς'. JavaScript's toLowerCase() applies the full, context-sensitive Unicode mapping
 * instead ('İ' → 'i' + U+0307, 'Σ' → 'ς' at the end of a word), and its tables are newer. Each
 * database's table is a subset of JavaScript's simple mappings, so a folding is described by the
 * code point ranges in which the database lowers a letter at all (measured against every code
 * point; ranges stop at unassigned code points, so letters added to Unicode later stay as they are).
 */

/**
 * Which database's LOWER() `insensitive` comparisons imitate:
 * - `ascii`: SQLite's lower(), which folds A–Z only.
 * - `postgres`: PostgreSQL's lower() under a libc locale of glibc 2.36 (Debian 12, the official
 *   images), i.e. Unicode 14 simple mappings: 'ẞ' → 'ß', 'K' (Kelvin) → 'k', Cherokee, Deseret.
 * - `mysql`: MariaDB/MySQL lower() under utf8mb4_general_ci (MariaDB 10's default for utf8mb4):
 *   an older table without 'ẞ', 'ϴ', 'Ⱥ', Cherokee, Glagolitic or any code point above U+FFFF.
 *   (MySQL 8's default utf8mb4_0900_ai_ci lowers more and is not modelled.)
 * - `unicode`: JavaScript's toLowerCase(), the full context-sensitive mapping ('İ' → 'i̇', final
 *   'ς'), as PostgreSQL's lower() under an ICU collation does it.
 */
export type CaseFolding = 'unicode' | 'ascii' | 'postgres' | 'mysql';

/** Inclusive code point ranges above ASCII; a code point outside every range is never lowered. */
type Ranges = ReadonlyArray<readonly [number, number]>;

/** Where PostgreSQL (glibc 2.36 towlower) lowers a non-ASCII code point. */
const POSTGRES_RANGES: Ranges = [
  [0x00c0, 0x0376],
  [0x037f, 0x037f],
  [0x0386, 0x038a],
  [0x038c, 0x038c],
  [0x038e, 0x03a1],
  [0x03a3, 0x052e],
  [0x0531, 0x0556],
  [0x10a0, 0x10c5],
  [0x10c7, 0x10c7],
  [0x10cd, 0x10cd],
  [0x13a0, 0x13f5],
  [0x1c90, 0x1cba],
  [0x1cbd, 0x1cbf],
  [0x1e00, 0x1f0f],
  [0x1f18, 0x1f1d],
  [0x1f28, 0x1f3f],
  [0x1f48, 0x1f4d],
  [0x1f59, 0x1f59],
  [0x1f5b, 0x1f5b],
  [0x1f5d, 0x1f5d],
  [0x1f5f, 0x1f6f],
  [0x1f88, 0x1faf],
  [0x1fb8, 0x1fbc],
  [0x1fc8, 0x1fcc],
  [0x1fd8, 0x1fdb],
  [0x1fe8, 0x1fec],
  [0x1ff8, 0x1ffc],
  [0x2126, 0x2183],
  [0x24b6, 0x24cf],
  [0x2c00, 0x2cf2],
  [0xa640, 0xa69a],
  [0xa722, 0xa7c9],
  [0xa7d0, 0xa7d0],
  [0xa7d6, 0xa7d8],
  [0xa7f5, 0xa7f5],
  [0xff21, 0xff3a],
  [0x10400, 0x10427],
  [0x104b0, 0x104d3],
  [0x10570, 0x1057a],
  [0x1057c, 0x1058a],
  [0x1058c, 0x10592],
  [0x10594, 0x10595],
  [0x10c80, 0x10cb2],
  [0x118a0, 0x118bf],
  [0x16e40, 0x16e5f],
  [0x1e900, 0x1e921],
];

/** Where MySQL/MariaDB lower() on utf8mb4_general_ci lowers a non-ASCII code point. */
const MYSQL_RANGES: Ranges = [
  [0x00c0, 0x021e],
  [0x0222, 0x0232],
  [0x0386, 0x038a],
  [0x038c, 0x038c],
  [0x038e, 0x03a1],
  [0x03a3, 0x03ab],
  [0x03da, 0x03ee],
  [0x0400, 0x0480],
  [0x048c, 0x04be],
  [0x04c1, 0x04c3],
  [0x04c7, 0x04c7],
  [0x04cb, 0x04cb],
  [0x04d0, 0x04f4],
  [0x04f8, 0x04f8],
  [0x0531, 0x0556],
  [0x1e00, 0x1e94],
  [0x1ea0, 0x1ef8],
  [0x1f08, 0x1f0f],
  [0x1f18, 0x1f1d],
  [0x1f28, 0x1f3f],
  [0x1f48, 0x1f4d],
  [0x1f59, 0x1f59],
  [0x1f5b, 0x1f5b],
  [0x1f5d, 0x1f5d],
  [0x1f5f, 0x1f6f],
  [0x1f88, 0x1faf],
  [0x1fb8, 0x1fbc],
  [0x1fc8, 0x1fcc],
  [0x1fd8, 0x1fdb],
  [0x1fe8, 0x1fec],
  [0x1ff8, 0x1ffc],
  [0x2126, 0x212b],
  [0x2160, 0x216f],
  [0x24b6, 0x24cf],
  [0xff21, 0xff3a],
];

const ASCII_UPPER = /[A-Z]+/g;

/** A–Z to a–z, everything else as it is. */
function asciiLower(value: string): string {
  return value.replace(ASCII_UPPER, (run) => run.toLowerCase());
}

/** One code point's simple lowercase mapping: toLowerCase() but 'İ' → 'i' (no combining dot). */
function simpleLower(char: string): string {
  return char === '\u0130' ? 'i' : char.toLowerCase();
}

/** Whether `codePoint` lies in one of the sorted `ranges` (binary search). */
function inRanges(codePoint: number, ranges: Ranges): boolean {
  let low = 0;
  let high = ranges.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const [first, last] = ranges[middle]!;
    if (codePoint < first) high = middle - 1;
    else if (codePoint > last) low = middle + 1;
    else return true;
  }
  return false;
}

/** Lowers each code point found in `ranges` (and A–Z), leaving every other one unchanged. */
function lowerWithin(value: string, ranges: Ranges): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range is the point
  if (/^[\u0000-\u007f]*$/.test(value)) return asciiLower(value);
  let folded = '';
  for (const char of value) {
    const codePoint = char.codePointAt(0)!;
    if (codePoint < 0x80)
      folded += codePoint >= 0x41 && codePoint <= 0x5a ? char.toLowerCase() : char;
    else folded += inRanges(codePoint, ranges) ? simpleLower(char) : char;
  }
  return folded;
}

/** `value` as the database's LOWER() returns it under `folding`. */
export function foldCase(value: string, folding: CaseFolding): string {
  switch (folding) {
    case 'ascii':
      return asciiLower(value);
    case 'postgres':
      return lowerWithin(value, POSTGRES_RANGES);
    case 'mysql':
      return lowerWithin(value, MYSQL_RANGES);
    case 'unicode':
      return value.toLowerCase();
  }
}

/** A UTF-16 code unit's rank such that ranks order strings by code point (surrogates last). */
function unitRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit < 0xe000 ? unit + 0x2000 : unit - 0x800;
}

/**
 * -1, 0 or 1 by code point, which is UTF-8 byte order: SQLite's BINARY, MySQL's `binary`, and
 * PostgreSQL's C and C.UTF-8 collations. (JavaScript's `<` compares UTF-16 code units, which puts
 * '🙂' before U+FF21.)
 */
export function compareStrings(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index++) {
    const x = a.charCodeAt(index);
    const y = b.charCodeAt(index);
    if (x !== y) return unitRank(x) < unitRank(y) ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}
