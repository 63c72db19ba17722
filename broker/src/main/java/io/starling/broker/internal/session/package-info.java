/** Sessions: their state, the registry with take-over, the in-flight window and packet identifiers. */
@NullMarked
package io.starling.broker.internal.session;

import org.jspecify.annotations.NullMarked;

