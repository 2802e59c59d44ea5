import { describe, expect, it } from 'vitest';
import { driverMessage } from './driver-message.js';

describe('driverMessage', () => {
  it("drops the query knex puts before a driver's message (MikroORM 6)", () => {
    const error = new Error(
      `insert into "short" ("code", "id") values ('a - b', 'it''s - x') returning * - value too long for type character varying(10)`,
    );
    expect(driverMessage(error)).toBe('value too long for type character varying(10)');
  });

  it('reads MySQL-escaped strings', () => {
    const error = new Error(
      "insert into `t` (`a`) values ('x\\' - y') - Data too long for column 'a' at row 1",
    );
    expect(driverMessage(error)).toBe("Data too long for column 'a' at row 1");
  });

  it("reads the server's message that mysql2 and mariadb keep apart, else drops the connector's prefix", () => {
    const error = Object.assign(new Error('insert into `t` - Data too long'), {
      sqlMessage: "Data too long for column 'code' at row 1",
    });
    expect(driverMessage(error)).toBe("Data too long for column 'code' at row 1");
    expect(
      driverMessage(new Error('(conn:2638, no: 1406, SQLState: 22001) Data too long for column')),
    ).toBe('Data too long for column');
  });

  it("keeps a driver's own message (MikroORM 7) as it is", () => {
    expect(driverMessage(new Error('value too long - for type'))).toBe('value too long - for type');
    expect(driverMessage('Connection terminated')).toBe('Connection terminated');
  });
});
