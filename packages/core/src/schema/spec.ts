/** A neutral description of tables, from which core builds MikroORM entities or their source code. */

/** The value family of a column. */
export type FieldSpecType =
  | 'string'
  | 'text'
  | 'number'
  | 'bigint'
  | 'boolean'
  | 'date'
  | 'json'
  | 'string[]'
  | 'number[]';

/** How a table's primary key is generated. */
export type IdStrategy = 'string' | 'serial' | 'uuid';

export type ReferentialAction = 'cascade' | 'set null' | 'restrict' | 'no action' | 'set default';

export interface FieldSpec {
  type: FieldSpecType;
  /** NOT NULL unless false. */
  required?: boolean;
  unique?: boolean;
  index?: boolean;
  /** Column name when it differs from the field name. */
  column?: string;
  /** A foreign key to another table's primary key (a table of the same description). */
  references?: { table: string; onDelete?: ReferentialAction };
  /** Maximum length for `string` columns (default 255). */
  length?: number;
  /** A database default for the column (used when an insert leaves the field out). */
  default?: string | number | boolean | null;
  /**
   * `string` columns only: compare exactly on every database (binary collation on MySQL/MariaDB,
   * whose default collations are case- and accent-insensitive), so lookups and unique indexes agree.
   */
  exact?: boolean;
}

export interface IndexSpec {
  fields: readonly string[];
  unique?: boolean;
  name?: string;
}

export interface TableSpec {
  /** Entity name (class name in MikroORM metadata). */
  entity: string;
  /** Table name. */
  table: string;
  /** Primary key: field name, column and generation (default `id`, `id`, `string`). */
  id?: { field?: string; column?: string; strategy?: IdStrategy };
  /**
   * A composite primary key made of these fields (in key order), in place of the generated `id`
   * column, e.g. `['identifier', 'token']`. The fields must be required scalars; no other table
   * may reference this one.
   */
  primaryKey?: readonly string[];
  fields: Readonly<Record<string, FieldSpec>>;
  indexes?: readonly IndexSpec[];
}
