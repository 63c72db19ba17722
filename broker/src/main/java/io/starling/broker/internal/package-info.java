/**
 * The broker's internals, one package per concern: {@code transport}, {@code protocol}, {@code
 * session}, {@code routing}, {@code retained} and {@code auth}. Nothing under {@code internal} is
 * part of the embedding API; it changes without notice. What embedders and plug-ins use is {@link
 * io.starling.broker.Broker}, {@link io.starling.broker.config}, {@link io.starling.broker.metrics},
 * {@link io.starling.broker.model} and {@link io.starling.broker.spi}.
 */
@NullMarked
package io.starling.broker.internal;

import org.jspecify.annotations.NullMarked;

