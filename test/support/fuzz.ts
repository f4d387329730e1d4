/**
 * Bad HTTP requests generated from a service's OpenAPI document (docs/openapi/<service>.json)
 * with fast-check: each request breaks at least one documented part of its operation (a path
 * or query parameter, a header, the body, the admin token) and keeps the others valid, so a
 * rejection is the only right answer and a request that slipped through would show as a 2xx
 * or a changed state.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { REPO_ROOT } from '../../scripts/src/runner/toolchain';

/** The JSON Schema keywords the documents use for parameters and bodies. */
export interface Schema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
}

interface Parameter {
  in: 'path' | 'query' | 'header';
  name: string;
  required?: boolean;
  schema: Schema;
}

export interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  body?: Schema;
  /** It needs the admin token (Authorization: Bearer). */
  secured: boolean;
}

export interface FuzzRequest {
  /** The part made wrong: `path:<name>`, `query:<name>`, `header:<name>`, `body`, `token`, or `none`. */
  broken: string;
  method: string;
  /** Path and query, percent-encoded as sent (some on purpose wrongly). */
  target: string;
  headers: Record<string, string>;
  body?: string;
}

/** Valid values the fuzzer may use, by parameter or property name: the ones whose state the test snapshots. */
export type KnownValues = Record<string, string>;

export function readOperations(service: string): Operation[] {
  const doc = JSON.parse(readFileSync(join(REPO_ROOT, 'docs', 'openapi', `${service}.json`), 'utf8'));
  return Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      parameters: op.parameters ?? [],
      body: op.requestBody?.content?.['application/json']?.schema,
      secured: Array.isArray(op.security) && op.security.length > 0,
    })),
  );
}

/** An operation without parameters, body or token (GET /products, /healthz, the page's files) has no bad request to make. */
export function canBeBad(op: Operation): boolean {
  return op.parameters.length > 0 || op.body !== undefined || op.secured;
}

const matches = (schema: Schema, value: string) => schema.pattern === undefined || new RegExp(schema.pattern, 'u').test(value);

/** Strings as an attacker sends them: any unicode, control characters, and now and then a few thousand characters (URLs stay under Node's 16 KB header limit). */
const oddString = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 3 }), fc.integer({ min: 100, max: 1500 })).map(([s, n]) => s.repeat(n)),
  },
);
/** What a header can carry (fetch refuses anything outside Latin-1 and line breaks). */
const headerString = (minLength = 0, maxLength = 60) =>
  fc
    .string({
      unit: fc
        .integer({ min: 0x20, max: 0xff })
        .filter((c) => c !== 0x7f)
        .map((c) => String.fromCharCode(c)),
      minLength,
      maxLength,
    })
    .filter((s) => s === s.trim()); // fetch would trim it
/** Percent-encodings that do not decode (koa and the router must not turn them into a 500). */
const brokenEncoding = fc.constantFrom('%E0%A4%A', '%', '%zz', '%C0%AF', '%FF', '%ED%A0%80', 'a%2', '%%');

/** A value the schema refuses. */
export function invalidValue(schema: Schema): fc.Arbitrary<unknown> {
  const wrongType = fc.constantFrom<unknown>(null, true, 'text', 42, 1.5, [], {}, [1, 2], -0.5, 1e308);
  // A schema without a type (a replay's corrected data) takes anything: it has no wrong value.
  const options: fc.Arbitrary<unknown>[] = schema.type ? [wrongType.filter((v) => !hasType(schema, v))] : [];
  switch (schema.type) {
    case 'object': {
      const valid = validValue(schema) as Record<string, unknown>;
      for (const name of schema.required ?? []) options.push(fc.constant(without(valid, name)));
      if (schema.additionalProperties === false)
        options.push(
          fc
            .tuple(fc.string({ minLength: 1 }), fc.jsonValue())
            .filter(([k]) => !(k in valid))
            .map(([k, v]) => ({ ...valid, [k]: v })),
        );
      for (const [name, prop] of Object.entries(schema.properties ?? {})) if (prop.type) options.push(invalidValue(prop).map((v) => ({ ...valid, [name]: v })));
      break;
    }
    case 'array': {
      const item = validValue(schema.items ?? {});
      if (schema.minItems) options.push(fc.constant(Array(schema.minItems - 1).fill(item)));
      if (schema.maxItems !== undefined) options.push(fc.constant(Array(schema.maxItems + 1).fill(item)));
      if (schema.items) options.push(invalidValue(schema.items).map((bad) => [bad]));
      break;
    }
    case 'string':
      if (schema.minLength) options.push(fc.constant(''));
      if (schema.maxLength !== undefined) options.push(fc.integer({ min: schema.maxLength + 1, max: schema.maxLength + 5000 }).map((n) => 'x'.repeat(n)));
      if (schema.pattern) options.push(oddString.filter((s) => !matches(schema, s)));
      break;
    case 'integer':
    case 'number': {
      const { minimum, maximum } = schema;
      if (minimum !== undefined) options.push(fc.integer({ min: Number.MIN_SAFE_INTEGER, max: minimum - 1 }), fc.constant(-1e300));
      if (maximum !== undefined) options.push(fc.integer({ min: maximum + 1, max: Number.MAX_SAFE_INTEGER }), fc.constant(1e300));
      if (schema.type === 'integer') options.push(fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d)));
      options.push(fc.constantFrom('1', '0x10', ''));
      break;
    }
  }
  return fc.oneof(...options);
}

/** The least valid value of a schema, with the known values for names the test watches. */
export function validValue(schema: Schema, known: KnownValues = {}, name?: string): unknown {
  switch (schema.type) {
    case 'object':
      return Object.fromEntries((schema.required ?? []).map((n) => [n, validValue(schema.properties?.[n] ?? {}, known, n)]));
    case 'array':
      return Array(schema.minItems ?? 0).fill(validValue(schema.items ?? {}, known));
    case 'string':
      return (name && known[name]) ?? 'A'.repeat(Math.max(1, schema.minLength ?? 1));
    case 'integer':
    case 'number':
      return schema.minimum ?? 0;
    case 'boolean':
      return true;
    default:
      return {};
  }
}

function hasType(schema: Schema, value: unknown): boolean {
  switch (schema.type) {
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    default:
      return true;
  }
}

function without(object: Record<string, unknown>, name: string) {
  const rest = { ...object };
  delete rest[name];
  return rest;
}

interface Part {
  /** A value that breaks the request, or undefined when the part can only be odd, never wrong. */
  bad?: fc.Arbitrary<string | undefined>;
  /** A value that keeps the request valid as far as this part goes (undefined: leave it out). */
  good: fc.Arbitrary<string | undefined>;
}

/** A parameter's values, already encoded for where they go (path segment, query value, header). */
function parameterPart(p: Parameter, known: KnownValues): Part {
  const { schema } = p;
  const knownValue = known[p.name];
  if (p.in === 'path') {
    // With a pattern, a wrong value is one it refuses; without, any id the test did not make is unknown (a 404).
    const wrong = oddString.filter((s) => s.length > 0 && !matches(schema, s) && s !== knownValue);
    const unknown = oddString.filter((s) => s.length > 0 && s !== knownValue);
    return {
      bad: fc.oneof(brokenEncoding, (schema.pattern ? wrong : unknown).map(encodeURIComponent)),
      good: schema.pattern ? fc.constant(encodeURIComponent(knownValue ?? (validValue(schema) as string))) : unknown.map(encodeURIComponent),
    };
  }
  if (p.in === 'query') {
    const inBounds = (s: string) => /^\d+$/.test(s) && Number(s) >= (schema.minimum ?? 0) && Number(s) <= (schema.maximum ?? Infinity);
    const wrong =
      schema.type === 'integer'
        ? [
            invalidValue(schema)
              .map((v) => String(v))
              .filter((s) => !inBounds(s)),
          ]
        : schema.pattern
          ? [oddString.filter((s) => !matches(schema, s))]
          : [];
    const bad = fc.oneof(
      // A broken encoding reaches the handler as the raw text: wrong only where the text would be.
      ...wrong.map((text) => fc.oneof(text.map(encodeURIComponent), brokenEncoding)),
      // Twice the same name: koa hands the handler an array.
      fc.constant(`${encodeURIComponent(knownValue ?? 'a')}&${p.name}=b`),
      ...(schema.minLength ? [fc.constant('')] : []),
    );
    const good = knownValue !== undefined ? fc.constant(encodeURIComponent(knownValue)) : fc.constant(undefined);
    // A query parameter is bad only if it is required or constrained (GET /stream's filters accept any string).
    const constrained = p.required || schema.pattern !== undefined || schema.minLength !== undefined || schema.type === 'integer';
    return constrained
      ? { bad: p.required ? fc.oneof(bad, fc.constant(undefined)) : bad, good }
      : { good: fc.option(fc.oneof(oddString.map(encodeURIComponent), brokenEncoding), { nil: undefined }) };
  }
  const constrained = schema.pattern !== undefined || schema.maxLength !== undefined;
  const bad =
    schema.maxLength !== undefined
      ? headerString(schema.maxLength + 1, schema.maxLength + 3000)
      : headerString(1).filter((s) => s.length > 0 && !matches(schema, s));
  return constrained ? { bad, good: fc.constant(undefined) } : { good: fc.option(headerString(), { nil: undefined }) };
}

/**
 * The body, as text: a refused value as JSON, text that is not JSON, a valid one under the wrong
 * content type, or too large. (Not a valid body with `application/json; charset=utf-16`: the
 * parser reads JSON as UTF-8 whatever the charset says, and JSON is UTF-8, so that one is accepted.)
 */
function bodyPart(schema: Schema, known: KnownValues): { bad: fc.Arbitrary<[string, string]>; good: [string, string] } {
  const valid = JSON.stringify(validValue(schema, known));
  const json = 'application/json';
  return {
    good: [json, valid],
    bad: fc.oneof(
      { weight: 6, arbitrary: invalidValue(schema).map((v): [string, string] => [json, JSON.stringify(v)]) },
      {
        weight: 2,
        arbitrary: fc
          .oneof(
            fc.integer({ min: 1, max: valid.length - 1 }).map((n) => valid.slice(0, n)),
            fc.string({ unit: 'binary', minLength: 1 }),
            fc.constantFrom('{"a":1e999}', '{"__proto__":{"x":1}}', '[', '\u0000', '{"a":"\\ud800"}', `${valid}${valid}`),
          )
          .filter((text) => !isJson(text) || !hasType(schema, JSON.parse(text)))
          .map((text): [string, string] => [json, text]),
      },
      {
        weight: 1,
        arbitrary: fc
          .constantFrom('text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x')
          .map((type): [string, string] => [type, valid]),
      },
      { weight: 1, arbitrary: fc.constant<[string, string]>([json, JSON.stringify({ ...(validValue(schema, known) as object), pad: 'x'.repeat(300_000) })]) },
    ),
  };
}

function isJson(text: string) {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Requests for `op` of which one part (chosen by fast-check) is wrong and the rest right. An
 * operation with nothing that can be wrong (GET /stream: any filter is a filter) gets odd values
 * in every part; the caller asserts what is right for it.
 */
export function badRequests(op: Operation, known: KnownValues, adminToken: string): fc.Arbitrary<FuzzRequest> {
  const params = op.parameters.map((p) => ({ p, part: parameterPart(p, known) }));
  const body = op.body && bodyPart(op.body, known);
  const targets: string[] = [
    ...params.filter(({ part }) => part.bad).map(({ p }) => `${p.in}:${p.name}`),
    ...(body ? ['body'] : []),
    ...(op.secured ? ['token'] : []),
  ];
  const wrong = targets.length > 0 ? fc.constantFrom(...targets) : fc.constant(undefined);
  return wrong.chain((target) =>
    fc
      .record({
        values: fc.tuple(...params.map(({ p, part }) => (`${p.in}:${p.name}` === target ? part.bad! : part.good))),
        body: body ? (target === 'body' ? body.bad : fc.constant(body.good)) : fc.constant(undefined),
        token:
          target === 'token'
            ? fc.option(
                headerString(1).map((t) => `Bearer ${t}`),
                { nil: undefined },
              )
            : fc.constant(`Bearer ${adminToken}`),
      })
      .map(({ values, body: sent, token }) => {
        let path = op.path;
        const query: string[] = [];
        const headers: Record<string, string> = {};
        params.forEach(({ p }, i) => {
          const value = values[i];
          if (value === undefined) return;
          if (p.in === 'path') path = path.replace(`{${p.name}}`, value);
          else if (p.in === 'query') query.push(`${p.name}=${value}`);
          else headers[p.name] = value;
        });
        if (op.secured && token !== undefined) headers.Authorization = token;
        if (sent) headers['Content-Type'] = sent[0];
        return { broken: target ?? 'none', method: op.method, target: query.length ? `${path}?${query.join('&')}` : path, headers, body: sent?.[1] };
      }),
  );
}
