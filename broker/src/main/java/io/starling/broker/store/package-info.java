/** Storage interfaces for sessions and retained messages, and their in-memory implementations. */
@NullMarked
package io.starling.broker.store;

import org.jspecify.annotations.NullMarked;
