// The generator is tools/asyncapi.ts. services/shared/test/asyncapi.test.ts still imports it by
// this older path; this line goes once that import names tools/asyncapi.
export { ASYNCAPI_FILE, renderAsyncApi } from './tools/asyncapi';
