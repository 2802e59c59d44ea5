import { type ColumnOptions, tableColumns } from './entity-schema.js';
import type { IndexSpec, TableSpec } from './spec.js';

/** Options of the entity source renderer. */
export interface RenderOptions {
  /** First lines of the file, e.g. which tool generated it. */
  header?: string;
}

const BUILDERS: Record<string, string> = {
  string: 'p.string()',
  text: 'p.text()',
  integer: 'p.integer()',
  bigint: 'p.bigint()',
  boolean: 'p.boolean()',
  datetime: 'p.datetime(3)',
  json: 'p.json()',
  uuid: 'p.uuid()',
};

function identifier(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_$]/g, '_');
  return /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned;
}

function key(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : JSON.stringify(name);
}

function propertySource(column: ColumnOptions): string {
  const calls: string[] = [];
  if (column.kind === 'm:1') {
    calls.push(`p.manyToOne(${identifier(column.target!)})`, 'mapToPk()');
  } else {
    const builder = column.exact ? 'p.type(ExactStringType)' : BUILDERS[column.type];
    if (!builder) throw new Error(`No defineEntity builder for column type ${column.type}`);
    calls.push(builder);
  }
  if (column.primary) calls.push('primary()');
  if (column.autoincrement) calls.push('autoincrement()');
  if (column.length && column.type !== 'datetime') calls.push(`length(${column.length})`);
  // Always explicit: the app's naming strategy must not rename the columns the framework uses.
  calls.push(`fieldName(${JSON.stringify(column.fieldName)})`);
  if (column.nullable) calls.push('nullable()');
  if (column.default !== undefined) calls.push(`default(${JSON.stringify(column.default)})`);
  if (column.unique) calls.push('unique()');
  if (column.index) calls.push('index()');
  if (column.deleteRule) calls.push(`deleteRule(${JSON.stringify(column.deleteRule)})`);
  if (column.updateRule) calls.push(`updateRule(${JSON.stringify(column.updateRule)})`);
  const chain = calls.join('.');
  return column.kind === 'm:1' ? `() => ${chain}` : chain;
}

function indexesSource(label: 'indexes' | 'uniques', indexes: readonly IndexSpec[]): string[] {
  if (indexes.length === 0) return [];
  const items = indexes.map((index) => {
    const name = index.name ? `, name: ${JSON.stringify(index.name)}` : '';
    return `    { properties: [${index.fields.map((field) => JSON.stringify(field)).join(', ')}]${name} },`;
  });
  return [`  ${label}: [`, ...items, '  ],'];
}

/**
 * Renders tables as TypeScript source of MikroORM `defineEntity` definitions: the same entities
 * `buildEntitySchemas` builds, ready to commit and feed to MikroORM migrations. Deterministic:
 * the same tables always give the same text.
 */
export function renderEntitySource(
  tables: readonly TableSpec[],
  options: RenderOptions = {},
): string {
  const lines: string[] = [];
  if (options.header) lines.push(...options.header.split('\n').map((line) => `// ${line}`), '');
  lines.push("import { defineEntity, p } from '@mikro-orm/core';");
  const exact = tables.some((table) =>
    [...tableColumns(table, tables).values()].some((column) => column.exact),
  );
  if (exact) lines.push("import { ExactStringType } from '@mikro-auth/core';");
  lines.push('');
  for (const table of tables) {
    lines.push(`export const ${identifier(table.entity)} = defineEntity({`);
    lines.push(`  name: ${JSON.stringify(table.entity)},`);
    lines.push(`  tableName: ${JSON.stringify(table.table)},`);
    lines.push('  properties: {');
    for (const [name, column] of tableColumns(table, tables)) {
      lines.push(`    ${key(name)}: ${propertySource(column)},`);
    }
    lines.push('  },');
    const indexes = table.indexes ?? [];
    lines.push(
      ...indexesSource(
        'indexes',
        indexes.filter((index) => !index.unique),
      ),
    );
    lines.push(
      ...indexesSource(
        'uniques',
        indexes.filter((index) => index.unique),
      ),
    );
    lines.push('});', '');
  }
  return lines.join('\n');
}
