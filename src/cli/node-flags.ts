/**
 * The flags node starts the service with: `npm start`, the `mastery` command's first line, the
 * image's entrypoint and the benchmarks all pass these (a spec holds them to this list).
 *
 * A young generation of 64 MB semi-spaces instead of V8's default (16 MB on Node 20, up to 32 MB
 * on Node 26). An ingest batch keeps its events, states and store commands alive across several
 * awaits (the log's insert, the state store's reads and writes), so with small semi-spaces each
 * scavenge finds most of the batch still alive and copies it, and much of it is promoted only to
 * die in the old generation. Larger semi-spaces let most of a batch die before it is scavenged;
 * the price is up to about 100 MB more resident memory. V8 sizes the heap before any JavaScript
 * runs, so this cannot be set from inside the program the way v8-flags.ts sets its flag.
 */
export const SERVICE_NODE_FLAGS = ['--max-semi-space-size=64'] as const;
