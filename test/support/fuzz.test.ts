/**
 * The fuzzers' own generators, checked with the services' validators: a "valid" value that the
 * services refused, or an "invalid" one they accepted, would make the fuzz tests prove nothing.
 */
import fc from 'fast-check';
import { catalog, EVENT_NAMES, validateEvent, type EventName } from '../../services/shared/src/events';
import { bodyValidator } from '../../services/shared/src/validate';
import { invalidValue, readOperations, validValue, type Schema } from './fuzz';
import { badEvents } from './bad-events';

/** Whether a validator takes a value. */
const accepts = (check: (value: unknown) => unknown) => (value: unknown) => {
  try {
    check(value);
    return true;
  } catch {
    return false;
  }
};
const bodies = ['order', 'payment', 'inventory', 'shipping', 'notification'].flatMap((service) =>
  readOperations(service).flatMap((op) => (op.body ? [{ label: `${service} ${op.method} ${op.path}`, schema: op.body }] : [])),
);
const events = EVENT_NAMES.map((name) => ({ label: name, schema: catalog[name].schema as unknown as Schema }));
const checkEvent = (name: EventName) => (data: unknown) => {
  const checked = validateEvent(name, data);
  if (!checked.ok) throw new Error(checked.reason);
};

describe.each([
  ...bodies.map((body) => ({ ...body, validate: accepts(bodyValidator(body.schema)) })),
  ...events.map((event) => ({ ...event, validate: accepts(checkEvent(event.label)) })),
])('$label', ({ schema, validate }) => {
  test('its valid value is valid', () => {
    expect(validate(validValue(schema, { sku: 'MUG', customerId: 'rich' }))).toBe(true);
  });

  test('its invalid values are invalid', () => {
    fc.assert(
      fc.property(invalidValue(schema), (value) => !validate(value)),
      { numRuns: 200 },
    );
  });
});

test('every bad event is one its droppers refuse: invalid data, or valid data from the wrong source or topic, or a type outside the catalog', () => {
  fc.assert(
    fc.property(badEvents({ sku: 'MUG', customerId: 'rich' }), (event) => {
      const name = EVENT_NAMES.find((n) => `eventmart.${n}.v1` === event.type);
      if (name === undefined) return event.kind === 'unknown type';
      const valid = validateEvent(name, event.data).ok;
      const misplaced = event.source !== catalog[name].producer || event.topic !== catalog[name].topic;
      return event.droppers.length > 0 && (['wrong source', 'wrong topic'].includes(event.kind) ? valid && misplaced : !valid && !misplaced);
    }),
    { numRuns: 300 },
  );
});
