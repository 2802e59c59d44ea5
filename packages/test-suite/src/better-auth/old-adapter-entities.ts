/**
 * Entities shaped the way users of `better-auth-mikro-orm` wrote them, taken from that package's
 * own test fixtures and README (octet-stream/better-auth-mikro-orm): 0.5.0's decorated classes
 * (an abstract `Base` with `id`, `createdAt`, `updatedAt`; `@ManyToOne(() => User) user`; an
 * inverse `@OneToMany` collection; an embedded `address`; PascalCase class names, MikroORM's
 * default snake_case naming strategy) and 1.0's `defineEntity` version of the same (`p.uuid()`
 * ids with `onCreate`, `extends Schema.class` + `setClass`).
 *
 * One change from those shapes, the one the README's migration section asks for: dates keep
 * milliseconds (`length: 3`, `p.datetime(3)`). MySQL and MariaDB store `type: Date` /
 * `p.datetime()` as `datetime`, whole seconds, and Better Auth reads back the dates it wrote.
 *
 * Built per Better Auth configuration from `getAuthTables(options)` so the official suites can
 * migrate to every configuration they test. The decorators are the real ones from
 * `@mikro-orm/decorators/legacy`, applied the way TypeScript's `experimentalDecorators` output
 * applies them (this repository's test runner does not transpile decorator syntax). On MikroORM
 * 6.6, where decorators live in `@mikro-orm/core`, test-suite-orm6 aliases that import to them.
 */
import { randomUUID } from 'node:crypto';
import { defineEntity, type EntitySchema, JsonType, MetadataStorage, p } from '@mikro-orm/core';
import {
  Embeddable,
  Embedded,
  Entity,
  ManyToOne,
  OneToMany,
  PrimaryKey,
  Property,
} from '@mikro-orm/decorators/legacy';
import type { BetterAuthOptions } from 'better-auth';
import { type BetterAuthDBSchema, type DBFieldAttribute, getAuthTables } from 'better-auth/db';

/** Entities for `MikroORM.init({ entities })`, and the adapter's `entities` option (when used). */
export interface OldShapes {
  entities: Array<EntitySchema | (abstract new () => unknown)>;
  mapping?: Record<string, EntitySchema | (abstract new () => unknown)>;
}

/** The old adapter found an entity by running the model name through the naming strategy. */
const className = (modelName: string) =>
  modelName.replace(/(^|[_-])([a-z0-9])/g, (_, __, char: string) => char.toUpperCase());

type Constructor = new () => object;
type PropertyDecorator = (target: object, propertyKey: string) => void;

/** What TypeScript emits for `@decorator` on a property (no descriptor) or a class. */
function decorateProperty(cls: Constructor, key: string, ...decorators: PropertyDecorator[]) {
  for (const decorator of decorators.reverse()) decorator(cls.prototype, key);
}

/** A class with this exact `name`, as `class User extends Base {}` would give. */
function namedClass(name: string, base: Constructor): Constructor {
  return { [name]: class extends base {} }[name]!;
}

/**
 * MikroORM 6.6's decorators keep metadata in one global store keyed by class name and the
 * declaring file, so the classes of every configuration built here would share (and pile up)
 * one entry per name. A user has one class per name; giving each build its own "file" keeps
 * the builds apart the same way. MikroORM 7 keeps decorator metadata on the class itself
 * (`META_SYMBOL`) and needs nothing.
 */
const storage = MetadataStorage as unknown as { PATH_SYMBOL?: symbol; META_SYMBOL?: symbol };
/** Set only where metadata is keyed by name and file (6.6: no per-class `META_SYMBOL`). */
const PATH_SYMBOL = storage.META_SYMBOL ? undefined : storage.PATH_SYMBOL;
let builds = 0;
function ownMetadata(build: number, ...classes: object[]): void {
  if (!PATH_SYMBOL) return;
  for (const cls of classes) {
    Object.defineProperty(cls, PATH_SYMBOL, {
      value: `${import.meta.filename}#build-${build}`,
      writable: true,
    });
  }
}

/** The referenced table's key when a field is a foreign key to another table's id. */
function referenceTarget(tables: BetterAuthDBSchema, attribute: DBFieldAttribute) {
  const reference = attribute.references;
  if (reference?.field !== 'id') return undefined;
  return Object.keys(tables).find(
    (key) => key === reference.model || tables[key]!.modelName === reference.model,
  );
}

/** The name Better Auth reads a field under: its own, or the one `fields`/`fieldName` renames it to. */
const propertyName = (field: string, attribute: DBFieldAttribute) => attribute.fieldName ?? field;

/** `userId` → `user`, as people name a many-to-one. */
const relationName = (name: string) => name.replace(/_?[Ii]d$/, '') || name;

/** Whether the table takes `Base`'s `createdAt`/`updatedAt` (both required dates). */
const hasTimestamps = (fields: Record<string, DBFieldAttribute>) =>
  ['createdAt', 'updatedAt'].every(
    (field) => fields[field]?.type === 'date' && fields[field]?.required !== false,
  );

const keyed = (attribute: DBFieldAttribute) =>
  Boolean(attribute.unique || attribute.index || attribute.sortable);

/** 0.5.0's shapes: decorated classes on an abstract `Base`, as in its tests and README. */
export function decoratedEntities(options: BetterAuthOptions): OldShapes {
  const tables = getAuthTables(options);
  const generateId = options.advanced?.database?.generateId;
  const build = ++builds;

  // @Embeddable() class Address { @Property street; @Property city }
  const Address = class Address {
    street = '';
    city = '';
  };
  ownMetadata(build, Address);
  decorateProperty(Address, 'street', Property({ type: 'string' }));
  decorateProperty(Address, 'city', Property({ type: 'string' }));
  Embeddable()(Address);

  // abstract class Base { @PrimaryKey id = v7(); @Property createdAt; @Property({ onUpdate }) updatedAt }
  const primaryKey = PrimaryKey(
    generateId === 'serial'
      ? { type: 'integer', autoincrement: true }
      : { type: generateId === 'uuid' ? 'uuid' : 'string' },
  );
  const Base = class Base {
    id: string | number | undefined = generateId === 'serial' ? undefined : randomUUID();
    createdAt = new Date();
    updatedAt = new Date();
  };
  ownMetadata(build, Base);
  decorateProperty(Base, 'id', primaryKey);
  decorateProperty(Base, 'createdAt', Property({ type: Date, length: 3 }));
  decorateProperty(
    Base,
    'updatedAt',
    Property({ type: Date, length: 3, onUpdate: () => new Date() }),
  );
  Entity({ abstract: true })(Base);
  // A table without both timestamps (plugin tables) gets its own id, as TestModel did.
  const Plain = class {};

  const classes = new Map<string, Constructor>();
  for (const [key, table] of Object.entries(tables)) {
    const name = className(table.modelName || key);
    const cls = namedClass(name, hasTimestamps(table.fields) ? Base : Plain);
    ownMetadata(build, cls);
    if (!hasTimestamps(table.fields)) decorateProperty(cls, 'id', primaryKey);
    classes.set(key, cls);
  }
  for (const [key, table] of Object.entries(tables)) {
    const cls = classes.get(key)!;
    const inherited = hasTimestamps(table.fields) ? ['id', 'createdAt', 'updatedAt'] : ['id'];
    for (const [field, attribute] of Object.entries(table.fields)) {
      if (inherited.includes(field)) continue;
      const name = propertyName(field, attribute);
      const nullable = attribute.required === false;
      const target = referenceTarget(tables, attribute);
      if (target) {
        const targetClass = classes.get(target)!;
        decorateProperty(
          cls,
          relationName(name),
          ManyToOne(() => targetClass, {
            nullable,
            deleteRule: attribute.references?.onDelete ?? 'cascade',
          }),
        );
        // The inverse side, as User.sessions in the old fixtures.
        const inverse = `${key}s`;
        if (key === 'session' && !tables[target]!.fields[inverse]) {
          decorateProperty(
            targetClass,
            inverse,
            OneToMany(() => cls, relationName(name)),
          );
        }
        continue;
      }
      const common = {
        nullable,
        ...(attribute.unique ? { unique: true } : {}),
        ...(attribute.index ? { index: true } : {}),
      };
      switch (attribute.type) {
        case 'boolean':
          decorateProperty(cls, name, Property({ type: 'boolean', ...common }));
          break;
        case 'date':
          decorateProperty(cls, name, Property({ type: Date, length: 3, ...common }));
          break;
        case 'number':
          decorateProperty(
            cls,
            name,
            Property({ type: attribute.bigint ? 'bigint' : 'number', ...common }),
          );
          break;
        case 'json':
        case 'string[]':
        case 'number[]':
          decorateProperty(cls, name, Property({ type: JsonType, ...common }));
          break;
        default:
          decorateProperty(
            cls,
            name,
            Property({ type: keyed(attribute) ? 'string' : 'text', ...common }),
          );
      }
    }
    if (key === 'user' && !table.fields.address) {
      decorateProperty(
        cls,
        'address',
        Embedded(() => Address, { object: true, nullable: true }),
      );
    }
    Entity()(cls);
  }
  const mapping = Object.fromEntries(classes);
  return { entities: [Base, Address, ...classes.values()], mapping };
}

/** The chain every scalar property builder offers. */
interface ScalarBuilder {
  nullable(): ScalarBuilder;
  unique(): ScalarBuilder;
  index(): ScalarBuilder;
}

function scalarBuilder(attribute: DBFieldAttribute): ScalarBuilder {
  const build = (): unknown => {
    switch (attribute.type) {
      case 'boolean':
        return p.boolean();
      case 'date':
        return p.datetime(3);
      case 'number':
        return attribute.bigint ? p.bigint('number') : p.integer();
      case 'json':
      case 'string[]':
      case 'number[]':
        return p.json();
      default:
        return keyed(attribute) ? p.string() : p.text();
    }
  };
  return build() as ScalarBuilder;
}

/** 1.0's shapes: `defineEntity` with shared base properties, classes through `setClass`. */
export function definedEntities(options: BetterAuthOptions): OldShapes {
  const tables = getAuthTables(options);
  const generateId = options.advanced?.database?.generateId;

  const Address = defineEntity({
    name: 'Address',
    embeddable: true,
    properties: { street: p.string(), city: p.string() },
  });

  const BaseProperties = {
    id:
      generateId === 'serial'
        ? p.integer().primary().autoincrement()
        : generateId === 'uuid'
          ? p
              .uuid()
              .primary()
              .onCreate(() => randomUUID())
          : p
              .string()
              .primary()
              .onCreate(() => randomUUID()),
    createdAt: p.datetime(3).onCreate(() => new Date()),
    updatedAt: p
      .datetime(3)
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  };

  const schemas = new Map<string, EntitySchema>();
  for (const [key, table] of Object.entries(tables)) {
    const base = hasTimestamps(table.fields);
    // biome-ignore lint/suspicious/noExplicitAny: property builders of every kind, as defineEntity takes them
    const properties: Record<string, any> = base
      ? { ...BaseProperties }
      : { id: BaseProperties.id };
    for (const [field, attribute] of Object.entries(table.fields)) {
      if (field === 'id' || (base && (field === 'createdAt' || field === 'updatedAt'))) continue;
      const name = propertyName(field, attribute);
      const target = referenceTarget(tables, attribute);
      const nullable = attribute.required === false;
      if (target) {
        properties[relationName(name)] = () => {
          const relation = p
            .manyToOne(schemas.get(target)!)
            .deleteRule(attribute.references?.onDelete ?? 'cascade');
          return nullable ? relation.nullable() : relation;
        };
        continue;
      }
      let builder = scalarBuilder(attribute);
      if (nullable) builder = builder.nullable();
      if (attribute.unique) builder = builder.unique();
      if (attribute.index) builder = builder.index();
      properties[name] = builder;
    }
    if (key === 'user' && !table.fields.address) {
      properties.address = () => p.embedded(Address).object().nullable();
    }
    const name = className(table.modelName || key);
    const schema = defineEntity({ name, properties }) as unknown as EntitySchema;
    // MikroORM 7's defineEntity makes a class to extend; on 6.6 there is none and users write a
    // plain class (`class User {}`) for setClass.
    const generated = (schema as unknown as { class?: Constructor }).class;
    const cls = namedClass(name, generated ?? class {});
    schema.setClass(cls as never);
    schemas.set(key, schema);
  }
  return { entities: [Address as unknown as EntitySchema, ...schemas.values()] };
}
