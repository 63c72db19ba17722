/** Liveness and readiness probes. */
@NullMarked
package io.starling.http.health;

import org.jspecify.annotations.NullMarked;
