// The contract of the services as Kubernetes sees it (shared/design.md and the issue): app
// ids, HTTP ports and topics. The chart, the Dapr components, skaffold and kind are all
// checked against this one table; its ports are the local runner's (scripts/src/runner/ports.ts),
// the one table of ports.
import { SERVICE_PORTS } from '../../scripts/src/runner/ports';

export interface ServiceContract {
  port: number;
  publishes: readonly string[];
  subscribes: readonly string[];
}

export const SERVICES: Readonly<Record<string, ServiceContract>> = {
  order: {
    port: SERVICE_PORTS.order,
    publishes: ['orders', 'deadletter-order'],
    subscribes: ['products', 'payments', 'inventory', 'shipments', 'deadletter-order'],
  },
  payment: {
    port: SERVICE_PORTS.payment,
    publishes: ['payments', 'deadletter-payment'],
    subscribes: ['orders', 'deadletter-payment'],
  },
  inventory: {
    port: SERVICE_PORTS.inventory,
    publishes: ['products', 'inventory', 'deadletter-inventory'],
    subscribes: ['orders', 'deadletter-inventory'],
  },
  shipping: {
    port: SERVICE_PORTS.shipping,
    publishes: ['shipments', 'deadletter-shipping'],
    subscribes: ['orders', 'deadletter-shipping'],
  },
  notification: {
    port: SERVICE_PORTS.notification,
    publishes: ['deadletter-notification'],
    subscribes: ['orders', 'payments', 'inventory', 'products', 'shipments', 'deadletter-notification'],
  },
};

export const SERVICE_NAMES = Object.keys(SERVICES);

/** The services a browser reaches from the host (kind port mappings). */
export const PUBLIC_SERVICES = ['notification', 'order', 'payment'];

export const DAPR_VERSION = '1.18.1';
export const PUBSUB_NAME = 'pubsub';
/**
 * The component with broadcast semantics (a consumer group / queue per replica): the apps
 * here subscribe through it, so that every replica gets every event of its topics.
 */
export const BROADCAST_PUBSUB_NAME = 'pubsub-broadcast';
export const BROADCAST_APPS = ['notification'];
export const BROKERS = ['kafka', 'rabbitmq'] as const;
