/**
 * `@mikro-orm/decorators/legacy` for MikroORM 6.6: the same decorators live in `@mikro-orm/core`
 * there (aliased to this package's 6.6 copy), which is where a 6.6 user imports them from.
 */
export {
  Embeddable,
  Embedded,
  Entity,
  ManyToOne,
  OneToMany,
  PrimaryKey,
  Property,
} from '@mikro-orm/core';
