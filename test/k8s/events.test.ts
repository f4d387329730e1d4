// What the code declares about events agrees with the catalog and the components: each
// service's handler map (its subscriptions) and its PUBLISHES list (events/facts.ts) are
// the truth the catalog's producer/consumers, the AsyncAPI document and the components'
// scopes must match.
import { catalog, topicsOf, type EventName } from '@eventmart/shared/events';
import { PUBLISHES as inventoryPublishes } from '../../services/inventory/src/events/facts';
import { createStockHandlers } from '../../services/inventory/src/events/stock-handlers';
import { createLiveFeed } from '../../services/notification/src/events/live-feed';
import { PUBLISHES as orderPublishes } from '../../services/order/src/events/facts';
import { createSagaHandlers } from '../../services/order/src/events/saga-handlers';
import { PUBLISHES as paymentPublishes } from '../../services/payment/src/events/facts';
import { createPaymentHandlers } from '../../services/payment/src/events/payment-handlers';
import { PUBLISHES as shippingPublishes } from '../../services/shipping/src/events/facts';
import { createShippingHandlers } from '../../services/shipping/src/events/shipping-handlers';
import { SERVICES, SERVICE_NAMES } from './contract';

// A handler map is built without touching its dependencies: the keys are what the service handles.
const none = undefined as never;
const code: Record<string, { handles: string[]; publishes: readonly string[] }> = {
  order: { handles: Object.keys(createSagaHandlers({ folds: none, views: none, catalog: none })), publishes: orderPublishes },
  payment: { handles: Object.keys(createPaymentHandlers(none)), publishes: paymentPublishes },
  inventory: { handles: Object.keys(createStockHandlers({ products: none, reservations: none })), publishes: inventoryPublishes },
  shipping: { handles: Object.keys(createShippingHandlers(none, 0)), publishes: shippingPublishes },
  notification: { handles: Object.keys(createLiveFeed(none).handlers), publishes: [] },
};
const sorted = (list: Iterable<string>) => [...list].sort();
const names = Object.keys(catalog) as EventName[];

describe('what the code declares about events', () => {
  it('covers every service of the contract', () => {
    expect(sorted(Object.keys(code))).toEqual(sorted(SERVICE_NAMES));
  });

  it('handles and publishes only events of the catalog', () => {
    for (const [service, { handles, publishes }] of Object.entries(code))
      expect({ service, unknown: [...handles, ...publishes].filter((name) => !(name in catalog)) }).toEqual({ service, unknown: [] });
  });

  it("matches the catalog's producer of each event: exactly one service publishes it", () => {
    for (const name of names) {
      const producers = Object.keys(code).filter((service) => code[service]!.publishes.includes(name));
      expect({ name, producers }).toEqual({ name, producers: [catalog[name].producer] });
    }
  });

  it("matches the catalog's consumers of each event: the services with a handler for it", () => {
    for (const name of names) {
      const consumers = Object.keys(code).filter((service) => code[service]!.handles.includes(name));
      expect({ name, consumers: sorted(consumers) }).toEqual({ name, consumers: sorted(catalog[name].consumers) });
    }
  });

  it('subscribes each service to the topics the components allow it (plus its own dead letters)', () => {
    for (const [service, { handles }] of Object.entries(code))
      expect({ service, subscribes: sorted([...topicsOf(handles), `deadletter-${service}`]) }).toEqual({
        service,
        subscribes: sorted(SERVICES[service]!.subscribes),
      });
  });
});
