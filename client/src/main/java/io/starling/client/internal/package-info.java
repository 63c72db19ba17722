/**
 * The plumbing beneath the client's protocol engine: the shared event loops, the callback
 * executor, packet identifiers, failure wording and the write side the flows use. It knows
 * nothing of the client's API types. Not API: public only for the engine in {@code
 * io.starling.client}, and changed without notice.
 */
@NullMarked
package io.starling.client.internal;

import org.jspecify.annotations.NullMarked;
