/**
 * A framework's view of one model: its field names ↔ the entity's property names, and the rows a
 * join places on a row. Adapters translate the framework's data, wheres and joins with it before
 * they reach the store, and rename the store's rows back.
 */
import { UnknownFieldError } from '../errors/classes.js';
import type { Join, Row } from '../query/types.js';
import type { ModelInfo } from './registry.js';

/** One field of a framework's model and the names the entity may keep it under. */
export interface FieldSource {
  /** The name the framework reads and writes the field under. */
  readonly field: string;
  /** Property or column names to look the field up by; the first that matches wins. Default `[field]`. */
  readonly names?: readonly string[];
  /** The field is the model's primary key, whatever its name (`names` are not consulted). */
  readonly primaryKey?: boolean;
  /** Throw `UnknownFieldError` (naming the first of `names`) when no name matches; else the field stays unmapped. */
  readonly required?: boolean;
}

/** A join in framework field names: `on.from` is a field of the base model, `on.to` one of the joined model. */
export type FieldJoin = Omit<Join, 'model'>;

const JOIN_PREFIX = '$join:';

/** The key a join's rows ride on in the rows the store returns; no entity property can be named so. */
export function joinKey(as: string): string {
  return `${JOIN_PREFIX}${as}`;
}

function resolve(model: ModelInfo, source: FieldSource): string | undefined {
  if (source.primaryKey) return model.primaryKey.name;
  const names = source.names ?? [source.field];
  for (const name of names) {
    const found = model.findField(name);
    if (found) return found.name;
  }
  if (source.required) {
    throw new UnknownFieldError(
      model.name,
      names[0] ?? source.field,
      model.fields.map((field) => field.name),
    );
  }
  return undefined;
}

/**
 * The field ↔ property map of one model. Names it does not map pass through unchanged, so fields
 * the app added to its entity are read and written under their own names. When two fields resolve
 * to the same property, rows are renamed to the later one.
 */
export class FieldMap {
  /** The resolved model; `model.name` is the name the store knows it by. */
  readonly model: ModelInfo;
  readonly #property = new Map<string, string>();
  readonly #field = new Map<string, string>();

  /** Maps each source to the first property or column it names; throws UnknownFieldError for a required one that matches none. */
  constructor(model: ModelInfo, sources: readonly FieldSource[]) {
    this.model = model;
    for (const source of sources) {
      const property = resolve(model, source);
      if (property === undefined) continue;
      this.#property.set(source.field, property);
      this.#field.set(property, source.field);
    }
  }

  /** The model name the store resolves. */
  get name(): string {
    return this.model.name;
  }

  /** The entity property of a framework field, or undefined when the field is unmapped. */
  propertyOf(field: string): string | undefined {
    return this.#property.get(field);
  }

  /** The framework field of an entity property, or undefined when no mapped field uses it. */
  fieldOf(property: string): string | undefined {
    return this.#field.get(property);
  }

  /** The entity property of a framework field; an unmapped name unchanged. */
  property(field: string): string {
    return this.#property.get(field) ?? field;
  }

  /** The framework field of an entity property; an unmapped name unchanged. */
  field(property: string): string {
    return this.#field.get(property) ?? property;
  }

  /** Framework data → the same values keyed by entity property. */
  toProperties(values: Readonly<Record<string, unknown>>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(values)) out[this.property(field)] = value;
    return out;
  }

  /** A stored row → the same values keyed by framework field, without joined rows or the `omit` properties. */
  toFields(row: Row, omit: readonly (string | undefined)[] = []): Row {
    const out: Row = {};
    for (const [property, value] of Object.entries(row)) {
      if (property.startsWith(JOIN_PREFIX) || omit.includes(property)) continue;
      out[this.field(property)] = value;
    }
    return out;
  }

  /** Where clauses in framework field names → the same clauses on entity properties. */
  toWhere<C extends { readonly field: string }>(clauses: readonly C[] | undefined): C[] {
    return (clauses ?? []).map((clause) => ({ ...clause, field: this.property(clause.field) }));
  }

  /** A store join reading `target` rows onto this model's rows under `join.as` (see `readJoin`). */
  join(target: FieldMap, join: FieldJoin): Join {
    return {
      ...join,
      as: joinKey(join.as),
      model: target.name,
      on: { from: this.property(join.on.from), to: target.property(join.on.to) },
    };
  }

  /** The rows a join `as` placed on `row`, renamed to this (the joined) model's fields: a row or null for `one`, rows for `many`. */
  readJoin(row: Row, as: string): Row | Row[] | null {
    const value = row[joinKey(as)];
    if (Array.isArray(value)) return value.map((item: Row) => this.toFields(item));
    return value ? this.toFields(value as Row) : null;
  }
}
