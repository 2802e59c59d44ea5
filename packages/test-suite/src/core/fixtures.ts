import type { TableSpec } from '@mikro-auth/core';

/** Tables used by the core conformance tests, described neutrally and built by core's builder. */
export const CORE_TABLES: TableSpec[] = [
  {
    entity: 'Member',
    table: 'member',
    fields: {
      name: { type: 'string' },
      email: { type: 'string', unique: true },
      emailVerified: { type: 'boolean', column: 'email_verified' },
      age: { type: 'number', required: false },
      createdAt: { type: 'date' },
      metadata: { type: 'json', required: false },
      tags: { type: 'string[]', required: false },
      points: { type: 'bigint', required: false },
    },
  },
  {
    entity: 'Ticket',
    table: 'ticket',
    fields: {
      token: { type: 'string', unique: true },
      memberId: {
        type: 'string',
        references: { table: 'member', onDelete: 'cascade' },
        index: true,
      },
      expiresAt: { type: 'date' },
      uses: { type: 'number' },
      label: { type: 'string', required: false },
    },
  },
  {
    entity: 'Counter',
    table: 'counter',
    id: { strategy: 'serial' },
    fields: { name: { type: 'string' }, value: { type: 'number', default: 0 } },
  },
];
