// The contract of the services as Kubernetes sees it (shared/design.md and the issue): app
// ids, HTTP ports and topics. The chart, the Dapr components, skaffold and the local runner
// are all checked against this one table.
export interface ServiceContract {
  port: number;
  publishes: readonly string[];
  subscribes: readonly string[];
}

export const SERVICES: Readonly<Record<string, ServiceContract>> = {
  order: {
    port: 3000,
    publishes: ['orders', 'deadletter-order'],
    subscribes: ['products', 'payments', 'inventory', 'shipments', 'deadletter-order'],
  },
  payment: {
    port: 3001,
    publishes: ['payments', 'deadletter-payment'],
    subscribes: ['orders', 'deadletter-payment'],
  },
  inventory: {
    port: 3002,
    publishes: ['products', 'inventory', 'deadletter-inventory'],
    subscribes: ['orders', 'deadletter-inventory'],
  },
  shipping: {
    port: 3003,
    publishes: ['shipments', 'deadletter-shipping'],
    subscribes: ['orders', 'deadletter-shipping'],
  },
  notification: {
    port: 8080,
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
