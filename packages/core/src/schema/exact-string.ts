import { type EntityProperty, type Platform, StringType } from '@mikro-orm/core';
import { dialectOf } from '../orm/dialect.js';
import { collationInColumnType } from '../orm/versions.js';

/** The binary collation of MySQL's and MariaDB's utf8mb4 character set. */
export const BINARY_COLLATION = 'utf8mb4_bin';

/**
 * A string column that compares exactly on every database, as core's lookups do. MySQL and MariaDB
 * compare, and enforce unique indexes, through the column's collation — by default case- and
 * accent-insensitive — so an exact lookup for `TAKEN@…` finds nothing while the unique index
 * refuses it: there the column gets the binary collation of utf8mb4. SQLite and PostgreSQL compare
 * strings exactly already; the column gets no collation there.
 */
export class ExactStringType extends StringType {
  override getColumnType(prop: EntityProperty, platform: Platform): string {
    // The collation is platform-specific, so it is decided when MikroORM discovers the entity.
    if (dialectOf(platform).collatedStrings) {
      prop.collation = BINARY_COLLATION;
      const type = super.getColumnType(prop, platform);
      // MikroORM 6 writes no `collation` into the DDL: the column type carries it there.
      return collationInColumnType(prop) ? `${type} collate ${BINARY_COLLATION}` : type;
    }
    if (prop.collation === BINARY_COLLATION) delete prop.collation;
    return super.getColumnType(prop, platform);
  }
}
