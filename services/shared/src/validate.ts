import Ajv, { type JSONSchemaType, type ValidateFunction } from 'ajv';
import { ValidationError } from './errors';

const ajv = new Ajv({ allErrors: false, strict: true });

/**
 * A request-body checker built from a JSON Schema: returns the typed body or throws a
 * 400 ValidationError that names the offending field.
 */
export function bodyValidator<T>(schema: JSONSchemaType<T> | object): (body: unknown) => T {
  const validate = ajv.compile(schema) as ValidateFunction<T>;
  return (body) => {
    if (validate(body)) return body;
    const [first] = validate.errors ?? [];
    const where = first?.instancePath ? first.instancePath.slice(1).replace(/\//g, '.') : 'body';
    throw new ValidationError('VALIDATION_FAILED', `${where} ${first?.message ?? 'is invalid'}`);
  };
}

/**
 * Whether a NUL character (U+0000) is anywhere in a value, keys included. No id or text here
 * holds one, and PostgreSQL (under FerretDB) fails on one in a query or a document.
 */
export function holdsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\0');
  if (Array.isArray(value)) return value.some(holdsNul);
  if (value !== null && typeof value === 'object') return Object.entries(value).some(([key, inner]) => key.includes('\0') || holdsNul(inner));
  return false;
}
