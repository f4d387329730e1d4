import { RecentEvents, type FeedEvent } from '../src/domain/recent-events';

const event = (id: string): FeedEvent => ({ id, type: 't', orderId: undefined, data: {}, at: 'now' });

describe('recent events', () => {
  test('when a browser resumes after an id, then it gets what came after it, once', () => {
    const recent = new RecentEvents(10);
    ['a', 'b', 'c', 'b'].forEach((id) => recent.add(event(id)));
    expect(recent.since('a').map((e) => e.id)).toEqual(['b', 'c']);
    expect(recent.since(undefined).map((e) => e.id)).toEqual(['a', 'b', 'c']);
  });

  test('when the id is unknown here, then everything kept is sent', () => {
    const recent = new RecentEvents(10);
    ['a', 'b'].forEach((id) => recent.add(event(id)));
    expect(recent.since('zz').map((e) => e.id)).toEqual(['a', 'b']);
  });

  test('when more than the capacity arrive, then only the newest are kept', () => {
    const recent = new RecentEvents(3);
    ['a', 'b', 'c', 'd', 'e'].forEach((id) => recent.add(event(id)));
    expect(recent.size).toBe(3);
    expect(recent.since(undefined).map((e) => e.id)).toEqual(['c', 'd', 'e']);
    expect(recent.add(event('a'))).toBe(true); // forgotten, so new again
  });

  test('when a browser resumes with an overlap, then it also gets that many events from before its last id', () => {
    const recent = new RecentEvents(10);
    ['a', 'b', 'c', 'd'].forEach((id) => recent.add(event(id)));
    expect(recent.since('c', 2).map((e) => e.id)).toEqual(['b', 'c', 'd']);
    expect(recent.since('a', 5).map((e) => e.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(recent.since('zz', 2).map((e) => e.id)).toEqual(['a', 'b', 'c', 'd']);
  });
});
