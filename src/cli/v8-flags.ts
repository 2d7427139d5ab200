import { setFlagsFromString } from 'node:v8';

/**
 * V8 settings for the service's processes. Imported first by the CLI's entry point, so they hold
 * before the rest of the program allocates anything. (NODE_OPTIONS accepts only a few V8 flags,
 * and this is not one of them.)
 *
 * Allocation-site pretenuring off: V8 allocates objects straight into the old generation when
 * objects of the same allocation site tended to live long. An ingest batch holds its requests
 * for hundreds of milliseconds, so the HTTP server's per-request objects got pretenured, and the
 * short reads that followed filled the old generation with garbage: frequent full collections,
 * whose pauses made the read latency's tail. Without it, those objects die young, as they are.
 */
setFlagsFromString('--no-allocation-site-pretenuring');
