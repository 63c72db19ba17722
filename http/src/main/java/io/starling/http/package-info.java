/**
 * The broker's HTTP listener: {@code /metrics}, {@code /health/live} and {@code /health/ready},
 * the admin API under {@code /api/v1/} and the web dashboard at {@code /}.
 */
@NullMarked
package io.starling.http;

import org.jspecify.annotations.NullMarked;
