import { HttpError, NotFoundError, UnprocessableError, ValidationError } from './errors';
import type { DeadLetterStore } from './dead-letter-store';
import type { Logger } from './logger';
import { dispatch, type EventHandlers } from './pubsub';

export interface ReplayDeps {
  letters: DeadLetterStore;
  handlers: EventHandlers;
  log: Logger;
}

/**
 * Runs a dead letter through the handlers again (the same checks as a delivery, on the
 * topic it came from), optionally with corrected `data`, and marks it replayed when it now
 * succeeds: when, by whom, and what was replayed, beside what was received. A correction may
 * mend an event, not change what it is about or what it costs: the order and every amount
 * stay as received (ValidationError). No such letter is NotFoundError; a handler that still
 * does not answer SUCCESS is UnprocessableError.
 */
export async function replayDeadLetter(
  { letters, handlers, log }: ReplayDeps,
  { id, by, correction }: { id: string; by: string; correction?: { data: unknown } },
): Promise<void> {
  const letter = await letters.get(id);
  if (!letter) throw new NotFoundError('DEAD_LETTER_NOT_FOUND', `no dead letter ${id}`);
  const data = correction ? correction.data : letter.data;
  if (correction) {
    const changed = protectedChanges(letter.data, data);
    if (changed.length > 0) throw new ValidationError('PROTECTED_FIELD_CHANGED', `a correction must keep ${changed.join(', ')} as received`);
  }
  const status = await dispatch(handlers, { id: letter.id, type: letter.type, source: letter.source, data }, log, letter.topic);
  if (status !== 'SUCCESS') throw new UnprocessableError('REPLAY_FAILED', `the handler answered ${status}`);
  await letters.markReplayed(letter.id, { by, ...(correction ? { data } : {}) });
  log.info({ eventId: letter.id, type: letter.type, by, corrected: correction !== undefined }, 'dead letter replayed');
}

/** How one letter of a bulk re-drive went: replayed, or the error a replay of it alone would answer. */
export type ReplayOutcome = { id: string; status: 'SUCCESS' } | { id: string; status: 'FAILED'; error: { code: string; message: string } };

/**
 * Re-drives letters as received, one after the other (a bulk re-drive after the cause was
 * fixed, e.g. a dependency that was down): each waiting one is replayed and recorded as
 * replayDeadLetter does (one replayed already is ALREADY_REPLAYED, so a bulk re-drive sent twice
 * replays nothing twice), and one that fails does not stop the others.
 */
export async function replayDeadLetters(deps: ReplayDeps, { ids, by }: { ids: readonly string[]; by: string }): Promise<ReplayOutcome[]> {
  const outcomes: ReplayOutcome[] = [];
  for (const id of ids) {
    try {
      // As received, once: a letter replayed already (perhaps with a correction) is left as it is.
      if ((await deps.letters.get(id))?.replayedAt) throw new HttpError(409, 'ALREADY_REPLAYED', `dead letter ${id} was replayed already`);
      await replayDeadLetter(deps, { id, by });
      outcomes.push({ id, status: 'SUCCESS' });
    } catch (err) {
      if (!(err instanceof HttpError)) throw err; // the database, not the letter: the operator tries again
      outcomes.push({ id, status: 'FAILED', error: { code: err.code, message: err.message } });
    }
  }
  return outcomes;
}

/** What an event is about and what it costs: the order, and every amount of money in it. */
const PROTECTED = new Set(['orderId', 'customerId', 'amount', 'total', 'unitPrice', 'price']);

/** The paths of protected fields whose value a correction added, removed or changed. */
export function protectedChanges(received: unknown, corrected: unknown, path = ''): string[] {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  if (!isObject(received) && !isObject(corrected)) return [];
  const a = isObject(received) ? received : {};
  const b = isObject(corrected) ? corrected : {};
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].flatMap((key) => {
    const at = path === '' ? key : `${path}.${key}`;
    if (PROTECTED.has(key) && a[key] !== b[key]) return [at];
    return protectedChanges(a[key], b[key], at);
  });
}
